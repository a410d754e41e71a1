// opsctl health against real servers: redis-server (plain, requirepass, allkeys-lru), a node HTTP
// server with healthy, failing, slow and redirecting endpoints, a silent TCP server, a refused port.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { HOST, assertCode, freePort, lines, run, runJson, silentServer, tempDir } from '../lib/harness.mjs';
import { useRedis } from '../lib/servers.mjs';

const redis = useRedis();
const locked = useRedis({ password: 'hunter2' });
const evicting = useRedis({ maxmemoryPolicy: 'allkeys-lru' });
let web, silent;
const routes = {
  '/ok': (res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('all good'),
  '/down': (res) => res.writeHead(503).end('maintenance'),
  '/health-warn': (res) => res.writeHead(200, { 'content-type': 'application/health+json' }).end('{"status":"warn"}'),
  '/health-fail': (res) => res.writeHead(200, { 'content-type': 'application/health+json' }).end('{"status":"fail"}'),
  '/degraded': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"degraded","db":"slow"}'),
  '/unhealthy': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"unhealthy"}'),
  '/slow': (res) => setTimeout(() => res.writeHead(200).end('late but fine'), 1000),
  '/redirect': (res) => res.writeHead(302, { location: '/ok' }).end(),
};
const url = (p) => `http://${HOST}:${web.address().port}${p}`;

function startWeb(port = 0) {
  const srv = http.createServer((req, res) => (routes[req.url] ?? ((r) => r.writeHead(404).end()))(res));
  return new Promise((resolve) => srv.listen(port, HOST, () => resolve(srv)));
}

before(async () => {
  silent = await silentServer();
  web = await startWeb();
});

after(async () => {
  await silent?.close();
  await new Promise((r) => web.close(r));
});

const health = (args, opts) => runJson(['health', '-o', 'json', ...args], opts);
const check = (r, i = 0) => r.json.checks[i];

describe('redis', () => {
  test('a healthy server is ok, with the fixed JSON fields', async () => {
    const args = ['--redis', redis.url];
    const r = await health(args);
    assertCode(args, r, 0);
    assert.equal(r.json.status, 'ok');
    const c = check(r);
    for (const f of ['name', 'kind', 'target', 'status', 'latency_ms', 'message', 'details']) assert.ok(f in c, f);
    assert.equal(c.kind, 'redis');
    assert.equal(c.details.maxmemory_policy, 'noeviction');
    assert.equal(c.details.role, 'master');
  });

  test('requirepass: REDIS_PASSWORD logs in; a wrong one is critical and says so without leaking it', async () => {
    const good = await health(['--redis', locked.url], { env: { REDIS_PASSWORD: 'hunter2' } });
    assert.equal(good.json.status, 'ok');
    const bad = await health(['--redis', locked.url], { env: { REDIS_PASSWORD: 'not-it' } });
    assert.equal(bad.code, 2);
    assert.equal(check(bad).status, 'critical');
    assert.match(check(bad).message, /wrong password/);
    assert.ok(!bad.stdout.includes('not-it') && !bad.stderr.includes('not-it'));
  });

  test('an eviction policy other than noeviction is a warning naming the policy', async () => {
    const r = await health(['--redis', evicting.url]);
    assert.equal(r.code, 1);
    assert.equal(check(r).status, 'warning');
    assert.match(check(r).message, /allkeys-lru.*noeviction/);
  });
});

describe('http', () => {
  const cases = [
    ['/ok', 'ok', 0], ['/down', 'critical', 2], ['/health-warn', 'warning', 1], ['/health-fail', 'critical', 2],
    ['/degraded', 'warning', 1], ['/unhealthy', 'critical', 2], ['/redirect', 'critical', 2],
  ];
  for (const [p, status, code] of cases) {
    test(`${p} is ${status}`, async () => {
      const r = await health(['--http', url(p)]);
      assert.equal(r.code, code, r.stdout);
      assert.equal(check(r).status, status);
      assert.equal(check(r).kind, 'http');
    });
  }

  test('--expect-status, --expect-body and --follow-redirects', async () => {
    assert.equal((await health(['--http', url('/down'), '--expect-status', '503'])).json.status, 'ok');
    const body = await health(['--http', url('/ok'), '--expect-body', 'nope']);
    assert.equal(body.json.status, 'critical');
    assert.match(check(body).message, /body does not contain "nope"/);
    assert.equal((await health(['--http', url('/redirect'), '--follow-redirects'])).json.status, 'ok');
  });

  test('--slow turns a slow answer into a warning', async () => {
    const r = await health(['--http', url('/slow'), '--slow', '300ms']);
    assert.equal(r.json.status, 'warning');
    assert.match(check(r).message, /slow/);
  });
});

describe('deadlines and parallelism', () => {
  test('three 1-second endpoints and a Redis finish together in well under 2 s', async () => {
    const args = ['--http', url('/slow'), '--http', url('/slow'), '--http', url('/slow'), '--redis', redis.url];
    const r = await health(args);
    assertCode(args, r, 0);
    assert.equal(r.json.checks.length, 4);
    assert.ok(r.ms < 1800, `took ${r.ms} ms`);
  });

  test('a silent server is critical within --timeout, for Redis and HTTP', async () => {
    const args = ['--timeout', '1s', '--redis', silent.url, '--http', `http://${HOST}:${silent.port}/`];
    const r = await health(args);
    assertCode(args, r, 2);
    for (const c of r.json.checks) {
      assert.equal(c.status, 'critical');
      assert.match(c.message, /timed out/);
    }
    assert.ok(r.ms < 2500, `took ${r.ms} ms`);
  });

  test('a refused port says refused', async () => {
    const port = await freePort();
    const r = await health(['--http', `http://${HOST}:${port}/`, '--redis', `redis://${HOST}:${port}`]);
    assert.equal(r.code, 2);
    for (const c of r.json.checks) assert.match(c.message, /refused/);
  });

  test('--wait polls until a service that starts 2 s late is up', async () => {
    const port = await freePort();
    let late;
    const timer = setTimeout(async () => { late = await startWeb(port); }, 2000);
    try {
      const args = ['--http', `http://${HOST}:${port}/ok`, '--wait', '10s'];
      const r = await health(args);
      assertCode(args, r, 0);
      assert.ok(r.ms >= 1900, `returned after ${r.ms} ms, before the service started`);
    } finally {
      clearTimeout(timer);
      if (late) await new Promise((res) => late.close(res));
    }
  });

  test('--wait gives up with the final status when the time runs out', async () => {
    const port = await freePort();
    const r = await health(['--http', `http://${HOST}:${port}/`, '--wait', '1s']);
    assert.equal(r.code, 2);
    assert.ok(r.ms >= 900 && r.ms < 4000, `took ${r.ms} ms`);
  });
});

describe('formats', () => {
  test('nagios: one parseable line with perfdata per check', async () => {
    const r = await run(['health', '-o', 'nagios', '--redis', redis.url, '--http', url('/down')]);
    assert.equal(r.code, 2);
    const out = lines(r.stdout);
    assert.equal(out.length, 1);
    const m = out[0].match(/^OPSCTL HEALTH (OK|WARNING|CRITICAL|UNKNOWN) - (.*) \| (.*)$/);
    assert.ok(m, out[0]);
    assert.equal(m[1], 'CRITICAL');
    assert.match(m[2], /1 of 2 checks ok/);
    const perf = m[3].match(/('[^']+'|[^ =]+)=[0-9.]+s/g);
    assert.equal(perf.length, 2, m[3]);
  });

  test('prom: up, latency and status per check, written atomically with --prom-file', async () => {
    const d = tempDir('health-prom');
    const file = path.join(d, 'health.prom');
    const r = await run(['health', '--prom-file', file, '--redis', redis.url, '--http', url('/down')]);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^# TYPE opsctl_check_up gauge$/m);
    assert.match(text, /^opsctl_check_up\{kind="redis",name="[^"]+"\} 1$/m);
    assert.match(text, /^opsctl_check_up\{kind="http",name="[^"]+"\} 0$/m);
    assert.match(text, /^opsctl_check_latency_seconds\{kind="http",name="[^"]+"\} [0-9.e-]+$/m);
    assert.deepEqual(readdirSync(d), ['health.prom']);
  });

  test('nothing to check is a usage error', async () => {
    const r = await run(['health']);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /nothing to check/);
  });
});
