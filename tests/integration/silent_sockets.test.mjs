// Silent and frozen peers on every transport are bounded by --timeout (CONVENTIONS.md: nothing ever
// hangs). For TCP, a Unix socket, TLS and Sentinel: a listener that accepts the connection and
// never says a word, and a real Redis frozen by CLIENT PAUSE once connected (over TLS: after the
// handshake). With --timeout 1s each run exits 2 well within 3 s, with one stderr line naming the
// target and "timed out", error.kind timeout, and health says critical just as fast. A DNS server
// that never answers bounds the name lookup the same way. (A silent
// TCP listener, and the default of 5 s, are in connection.test.mjs; a silent sentinel listed
// before working ones is in redis_sentinel.test.mjs.)
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertCode, HOST, lines, OPSCTL_BIN, refusedPort, runJson, seedMeta, silentServer, startRedis, tempDir } from '../lib/harness.mjs';
import { MASTER_NAME, startLoneSentinel } from '../lib/redis-sentinel.mjs';
import { makeCerts, startTlsRedis } from '../lib/redis-tls.mjs';

const PAUSE_MS = '20000';  // longer than any run below; the servers are stopped, not unpaused
const LIMIT_MS = 3000;     // --timeout 1s, plus the start of the process on a loaded machine

const stops = [];
after(async () => { for (const s of stops.reverse()) await s(); });

// A redis-server (or TLS one) seeded with queue q, then frozen: every command of every client,
// new ones included, waits until the pause ends.
async function frozen(server) {
  await seedMeta(server, 'q');
  assert.equal(await server.cli('CLIENT', 'PAUSE', PAUSE_MS, 'ALL'), 'OK');
  return server;
}

// Runs `queue inspect q` and `health` against the target; both must give up within LIMIT_MS.
// target: the redacted target as opsctl names it; cause: what the message says after it.
async function assertBounded({ args, target, cause }) {
  const inspect = ['queue', 'inspect', 'q', ...args, '--timeout', '1s', '-o', 'json'];
  const r = await runJson(inspect, { timeoutMs: 15000 });
  assertCode(inspect, r, 2);
  assert.ok(r.ms < LIMIT_MS, `queue inspect took ${Math.round(r.ms)} ms with --timeout 1s`);
  assert.equal(r.json.error.kind, 'timeout', r.json.error.message);
  const line = lines(r.stderr);
  assert.equal(line.length, 1, `one stderr line: ${r.stderr}`);
  assert.ok(line[0].startsWith(`opsctl: redis ${target}: `), line[0]);
  assert.match(line[0], cause);
  assert.match(line[0], /timed out/);

  const health = ['health', ...args, '--timeout', '1s', '-o', 'json'];
  const h = await runJson(health, { timeoutMs: 15000 });
  assertCode(health, h, 2);
  assert.ok(h.ms < LIMIT_MS, `health took ${Math.round(h.ms)} ms with --timeout 1s`);
  assert.equal(h.json.checks[0].status, 'critical');
  assert.match(h.json.checks[0].message, /timed out/);
}

const REPLY = /timed out after 1s waiting for a reply/;
const HANDSHAKE = /timed out after 1s connecting/;

describe('TCP', () => {
  test('a Redis frozen by CLIENT PAUSE after the connect', async () => {
    const redis = await frozen(await startRedis());
    stops.push(() => redis.stop());
    await assertBounded({ args: ['--redis', redis.url], target: `${HOST}:${redis.port}`, cause: REPLY });
  });
});

describe('Unix socket', () => {
  test('a listener on the socket that accepts and never answers', async () => {
    const sock = path.join(tempDir('silent-unix'), 'redis.sock');
    const silent = await silentServer({ path: sock });
    stops.push(() => silent.close());
    await assertBounded({ args: ['--redis', silent.url], target: `unix://${sock}`, cause: REPLY });
  });

  test('a Redis on its Unix socket frozen by CLIENT PAUSE', async () => {
    const redis = await frozen(await startRedis({ unixsocket: true }));
    stops.push(() => redis.stop());
    await assertBounded({ args: ['--redis', `unix://${redis.socket}`], target: `unix://${redis.socket}`, cause: REPLY });
  });
});

describe('TLS', () => {
  let certs;
  before(async () => { certs = await makeCerts(); });

  test('a listener that accepts TCP and never answers the handshake', async () => {
    const silent = await silentServer();
    stops.push(() => silent.close());
    await assertBounded({ args: ['--redis', `rediss://${HOST}:${silent.port}`, '--tls-ca', certs.ca],
      target: `rediss://${HOST}:${silent.port}`, cause: HANDSHAKE });
  });

  test('a TLS Redis frozen by CLIENT PAUSE: the handshake completes, no reply comes', async () => {
    const tls = await frozen(await startTlsRedis(certs));
    stops.push(() => tls.stop());
    await assertBounded({ args: ['--redis', tls.url, '--tls-ca', certs.ca], target: `rediss://${HOST}:${tls.port}`,
      cause: REPLY });
  });
});

describe('Sentinel', () => {
  test('a "sentinel" that accepts and says nothing', async () => {
    const silent = await silentServer();
    stops.push(() => silent.close());
    const sentinel = `${HOST}:${silent.port}`;
    await assertBounded({ args: ['--redis', `redis+sentinel://${sentinel}/${MASTER_NAME}`],
      target: `master ${MASTER_NAME} (sentinels ${sentinel})`,
      cause: new RegExp(`no sentinel gave a usable master address: redis ${sentinel}: timed out after 1s waiting for a reply`) });
  });

  test('a silent sentinel, then a refused one: each answer named, kind connection_refused (none reachable)', async () => {
    const silent = await silentServer();
    stops.push(() => silent.close());
    const dead = await refusedPort();
    const args = ['queue', 'inspect', 'q', '--redis', `redis+sentinel://${HOST}:${silent.port},${HOST}:${dead}/${MASTER_NAME}`,
      '--timeout', '1s', '-o', 'json'];
    const r = await runJson(args, { timeoutMs: 15000 });
    assertCode(args, r, 2);
    assert.ok(r.ms < LIMIT_MS, `took ${Math.round(r.ms)} ms with --timeout 1s`);
    assert.equal(r.json.error.kind, 'connection_refused');
    assert.match(r.json.error.message, new RegExp(`redis ${HOST}:${silent.port}: timed out after 1s waiting for a reply .*; ` +
      `redis ${HOST}:${dead}: connection refused`));
  });

  test('a real sentinel that names a master which accepts and says nothing', async () => {
    const silent = await silentServer();
    stops.push(() => silent.close());
    const sentinel = await startLoneSentinel(silent.port);
    stops.push(() => sentinel.stop());
    await assertBounded({ args: ['--redis', sentinel.url],
      target: `master ${MASTER_NAME} at ${HOST}:${silent.port} (sentinels ${HOST}:${sentinel.port})`, cause: REPLY });
  });
});

describe('DNS', () => {
  // A DNS server that receives every query and never answers, as the only nameserver of a private
  // mount namespace (unshare -m, then /etc/resolv.conf bind-mounted over: root, as the PostgreSQL
  // suites need too). glibc alone would wait 5 s per attempt, twice, before giving up.
  test('a name whose DNS server never answers: the lookup gives up at --timeout', async () => {
    const dns = dgram.createSocket('udp4');
    await new Promise((resolve, reject) => { dns.once('error', reject); dns.bind(53, '127.3.5.3', resolve); });
    stops.push(() => new Promise((r) => dns.close(r)));
    let queries = 0;
    dns.on('message', () => { queries += 1; });
    const resolv = path.join(tempDir('silent-dns'), 'resolv.conf');
    writeFileSync(resolv, 'nameserver 127.3.5.3\noptions timeout:5 attempts:2\n');
    const name = 'redis.opsctl-test.invalid';
    const inNamespace = (args) => ({
      args: ['-m', 'sh', '-c', 'mount --bind "$0" /etc/resolv.conf && exec "$@"', resolv, OPSCTL_BIN, ...args],
      opts: { bin: 'unshare', timeoutMs: 15000 },
    });
    for (const verb of [['queue', 'inspect', 'q'], ['health']]) {
      const args = [...verb, '--redis', `redis://${name}:6379`, '--timeout', '1s', '-o', 'json'];
      const { args: wrapped, opts } = inNamespace(args);
      const r = await runJson(wrapped, opts);
      assertCode(args, r, 2);
      assert.ok(r.ms < LIMIT_MS, `${verb[0]} took ${Math.round(r.ms)} ms with --timeout 1s`);
      const message = verb[0] === 'health' ? r.json.checks[0].message : r.json.error.message;
      assert.match(message, new RegExp(`cannot resolve host \\(${name.replace(/\./g, '\\.')}: no answer from the DNS servers within --timeout\\)`));
      if (verb[0] === 'health') assert.equal(r.json.checks[0].status, 'critical');
      else assert.equal(r.json.error.kind, 'dns');
    }
    assert.ok(queries > 0, 'the lookups reached the silent DNS server');
  });
});
