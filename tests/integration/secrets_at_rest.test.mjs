// Secrets at rest: a config file holding a password, a password file or a TLS client key that group
// or others can read gets one warning naming the file and `chmod 600`; the command still works.
// Private files and configs without a secret say nothing.
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertCode, HOST, runJson, seedMeta, startRedis, tempDir } from '../lib/harness.mjs';
import { makeCerts, startTlsRedis } from '../lib/redis-tls.mjs';

const warning = (file) => `opsctl: warning: ${file} is readable by group or others and holds a secret; chmod 600 ${file}\n`;

let redis;
let certs;
let tls;
before(async () => {
  redis = await startRedis({ password: 's3cret' });
  await seedMeta(redis, 'q');
  await redis.cli('LPUSH', 'bull:q:wait', '1');
  certs = await makeCerts();
  tls = await startTlsRedis(certs, { authClients: true });
  await seedMeta(tls, 'q');
});
after(async () => { await redis?.stop(); await tls?.stop(); });

function config(lines, mode) {
  const file = path.join(tempDir('secrets'), 'config.yaml');
  writeFileSync(file, ['current-context: c', 'contexts:', '  - name: c', ...lines, ''].join('\n'));
  chmodSync(file, mode);
  return file;
}

const inspect = (file) => ['queue', 'inspect', 'q', '--config', file, '-o', 'json'];

describe('the config file', () => {
  test('0644 with a password in the redis URL: one warning naming it; the queue is still read', async () => {
    const file = config([`    redis: ${redis.authUrl}`], 0o644);
    const r = await runJson(inspect(file));
    assertCode(inspect(file), r, 0);
    assert.equal(r.json.counts.waiting, 1);
    assert.equal(r.stderr, warning(file));
  });

  test('0600 with the same password: no warning', async () => {
    const file = config([`    redis: ${redis.authUrl}`], 0o600);
    const r = await runJson(inspect(file));
    assertCode(inspect(file), r, 0);
    assert.equal(r.stderr, '');
  });

  test('0644 without a secret: no warning', async () => {
    const file = config([`    redis: ${redis.url}`], 0o644);
    const r = await runJson(inspect(file), { env: { REDIS_PASSWORD: 's3cret' } });
    assertCode(inspect(file), r, 0);
    assert.equal(r.stderr, '');
  });
});

describe('files the config names', () => {
  test('a 0644 redis_password_file: the warning names it (the private config says nothing)', async () => {
    const dir = tempDir('secrets');
    const pass = path.join(dir, 'redis.pass');
    writeFileSync(pass, 's3cret\n');
    chmodSync(pass, 0o644);
    const file = config([`    redis: ${redis.url}`, `    redis_password_file: ${pass}`], 0o644);
    const r = await runJson(inspect(file));
    assertCode(inspect(file), r, 0);
    assert.equal(r.json.counts.waiting, 1);
    assert.equal(r.stderr, warning(pass));
    chmodSync(pass, 0o600);
    const quiet = await runJson(inspect(file));
    assertCode(inspect(file), quiet, 0);
    assert.equal(quiet.stderr, '');
  });

  test('a 0644 TLS client key (--tls-key): warned once; the TLS queue is still read', async () => {
    const key = path.join(tempDir('secrets'), 'client.key');
    copyFileSync(certs.client.key, key);
    chmodSync(key, 0o644);
    const args = ['queue', 'inspect', 'q', '--redis', tls.url, '--tls-ca', certs.ca, '--tls-cert', certs.client.cert,
      '--tls-key', key, '-o', 'json'];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.stderr, warning(key));
    chmodSync(key, 0o600);
    const quiet = await runJson(args);
    assertCode(args, quiet, 0);
    assert.equal(quiet.stderr, '');
  });

  test('a 0644 tls_key in the context: the warning names it', async () => {
    const key = path.join(tempDir('secrets'), 'client.key');
    copyFileSync(certs.client.key, key);
    chmodSync(key, 0o644);
    const file = config([`    redis: rediss://${HOST}:${tls.port}`, `    tls_ca: ${certs.ca}`, `    tls_cert: ${certs.client.cert}`,
      `    tls_key: ${key}`], 0o600);
    const r = await runJson(inspect(file));
    assertCode(inspect(file), r, 0);
    assert.equal(r.stderr, warning(key));
  });
});
