// Redis over TLS (rediss://): a real redis-server on a TLS-only loopback port with certificates
// this suite makes with openssl. Verified by default (system store or --tls-ca), the name checked,
// client certificates, --tls-insecure said aloud, context fields, and every failure a clear exit 2
// within --timeout.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertCode, HOST, run, runJson, seedJob, seedMeta, silentServer, startRedis, tempDir } from '../lib/harness.mjs';
import { makeCerts, startTlsRedis } from '../lib/redis-tls.mjs';

let certs;
let tls;      // the server certificate for localhost and 127.0.0.1
let plain;    // a plain-text redis-server
const stops = [];

before(async () => {
  certs = await makeCerts();
  tls = await startTlsRedis(certs);
  plain = await startRedis();
  stops.push(() => tls.stop(), () => plain.stop());
  await seedMeta(tls, 'q');
  await seedJob(tls, 'q', '1', { name: 'email', data: '{}', timestamp: String(Date.now()) });
  await tls.cli('LPUSH', 'bull:q:wait', '1');
});
after(async () => { for (const s of stops) await s(); });

const url = (server, host = HOST) => `rediss://${host}:${server.port}`;

describe('verified TLS', () => {
  test('rediss:// with --tls-ca: the queue is read as over plain TCP', async () => {
    const args = ['queue', 'inspect', 'q', '--redis', url(tls), '--tls-ca', certs.ca, '-o', 'json'];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.counts.waiting, 1);
    assert.equal(r.stderr, '');
  });

  test('by host name: the certificate names localhost', async () => {
    const args = ['queue', 'list', '--redis', url(tls, 'localhost'), '--tls-ca', certs.ca, '-o', 'json'];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.deepEqual(r.json.queues.map((q) => q.queue), ['q']);
  });

  test('health checks a TLS Redis', async () => {
    const args = ['health', '--redis', url(tls), '--tls-ca', certs.ca, '-o', 'json'];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.checks[0].status, 'ok');
  });

  test('a context with tls_ca and tls: true on a redis:// URL', async () => {
    const dir = tempDir('tls-config');
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, [
      'current-context: prod',
      'contexts:',
      '  - name: prod',
      `    redis: redis://${HOST}:${tls.port}`,
      '    tls: true',
      `    tls_ca: ${certs.ca}`,
      '',
    ].join('\n'), { mode: 0o600 });
    const args = ['queue', 'inspect', 'q', '--config', config, '-o', 'json'];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.counts.waiting, 1);
  });
});

describe('verification failures: exit 2, error kind tls, nothing read', () => {
  const failing = async (args, pattern) => {
    const r = await runJson([...args, '-o', 'json', '--timeout', '3s']);
    assertCode(args, r, 2);
    assert.equal(r.json.error.kind, 'tls', r.stderr);
    assert.match(r.json.error.message, pattern);
    assert.match(r.stderr, pattern);
    return r;
  };

  test('no CA given: the system store does not know the test CA', async () => {
    // The server sends its chain up to the self-signed root: OpenSSL names that root.
    await failing(['queue', 'inspect', 'q', '--redis', url(tls)],
      /certificate verification failed: (self-signed certificate in certificate chain|unable to get local issuer certificate)/);
  });

  test('a CA that did not sign the certificate', async () => {
    await failing(['queue', 'inspect', 'q', '--redis', url(tls), '--tls-ca', certs.otherCa],
      /certificate verification failed: (self-signed certificate in certificate chain|unable to get local issuer certificate)/);
  });

  test('a certificate for another name: by IP and by host name', async () => {
    const wrong = await startTlsRedis(certs, { cert: certs.wrongName });
    stops.push(() => wrong.stop());
    await failing(['queue', 'inspect', 'q', '--redis', url(wrong), '--tls-ca', certs.ca],
      /certificate verification failed: IP address mismatch/);
    await failing(['queue', 'inspect', 'q', '--redis', url(wrong, 'localhost'), '--tls-ca', certs.ca],
      /certificate verification failed: hostname mismatch/);
    // --tls-server-name says which name to expect: then it verifies.
    const args = ['queue', 'list', '--redis', url(wrong), '--tls-ca', certs.ca, '--tls-server-name', 'cache.other.example', '-o', 'json'];
    const r = await runJson(args);
    assertCode(args, r, 0);
  });

  test('an expired certificate', async () => {
    const expired = await startTlsRedis(certs, { cert: certs.expired });
    stops.push(() => expired.stop());
    await failing(['queue', 'inspect', 'q', '--redis', url(expired), '--tls-ca', certs.ca],
      /certificate verification failed: certificate has expired/);
  });

  test('--tls-insecure connects without verification and says so on stderr', async () => {
    const args = ['queue', 'list', '--redis', url(tls), '--tls-insecure', '-o', 'json'];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.match(r.stderr, /warning: TLS to redis rediss:\/\/127\.0\.0\.1:\d+ is not verified \(--tls-insecure\)/);
  });
});

describe('client certificates', () => {
  let mtls;
  before(async () => {
    mtls = await startTlsRedis(certs, { authClients: true });
    stops.push(() => mtls.stop());
  });

  test('a server that asks for one: refused without, served with --tls-cert and --tls-key', async () => {
    const without = ['queue', 'list', '--redis', url(mtls), '--tls-ca', certs.ca, '--timeout', '3s'];
    const r1 = await run(without);
    assertCode(without, r1, 2);
    assert.match(r1.stderr, /^opsctl: redis rediss:\/\/127\.0\.0\.1:\d+: connection closed by the server \(maxclients reached, or it asks for a client certificate: --tls-cert and --tls-key\?\)$/m);
    const withCert = [...without, '--tls-cert', certs.client.cert, '--tls-key', certs.client.key, '-o', 'json'];
    const r2 = await runJson(withCert);
    assertCode(withCert, r2, 0);
  });

  test('a key that does not match the certificate is named', async () => {
    const args = ['queue', 'list', '--redis', url(mtls), '--tls-ca', certs.ca, '--tls-cert', certs.client.cert,
      '--tls-key', certs.server.key];
    const r = await run(args);
    assertCode(args, r, 2);
    assert.match(r.stderr, /cannot load the client key .*server\.key/);
  });
});

describe('wrong transport, silent servers: bounded by --timeout', () => {
  test('redis:// to a TLS-only port: the server hangs up, and the message says why it may', async () => {
    const args = ['queue', 'list', '--redis', `redis://${HOST}:${tls.port}`, '--timeout', '2s'];
    const r = await run(args);
    assertCode(args, r, 2);
    assert.match(r.stderr, /connection closed by the server \(maxclients reached, or a TLS-only port\?\)/);
  });

  test('rediss:// to a plain port: the handshake times out after --timeout', async () => {
    const args = ['queue', 'list', '--redis', url(plain), '--tls-insecure', '--timeout', '1s'];
    const r = await run(args);
    assertCode(args, r, 2);
    assert.match(r.stderr, /timed out after 1s connecting/);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
  });

  test('a silent TCP server: the handshake is bounded too', async () => {
    const silent = await silentServer();
    try {
      const args = ['health', '--redis', `rediss://${HOST}:${silent.port}`, '--tls-insecure', '--timeout', '1s', '-o', 'json'];
      const r = await runJson(args);
      assertCode(args, r, 2);
      assert.equal(r.json.checks[0].status, 'critical');
      assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    } finally {
      await silent.close();
    }
  });

  test('--tls-ca with a plain redis:// URL is a usage error, not a silent plain connection', async () => {
    const args = ['queue', 'list', '--redis', plain.url, '--tls-ca', certs.ca];
    const r = await run(args);
    assertCode(args, r, 64);
    assert.match(r.stderr, /the --tls-\* flags are for a TLS connection, and Redis 127\.0\.0\.1:\d+ is plain/);
  });
});
