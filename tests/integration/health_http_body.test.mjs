// opsctl health --http judging bodies against a real node HTTP(S) server: the shapes of the seeds
// (overall/components, checks maps, success:false with connected:false), health+json drafts, Spring
// actuator, --expect-json, --expect-body regexes, headers and basic auth that never show, and TLS
// verification with a self-signed certificate made by openssl (--cacert, --insecure).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { HOST, assertCode, run, runJson, tempDir } from '../lib/harness.mjs';

const json = (body, type = 'application/json', code = 200) => (req, res) =>
  res.writeHead(code, { 'content-type': type }).end(typeof body === 'string' ? body : JSON.stringify(body));

const SECRET = 'tr0ub4dor-s3cret';
const seen = [];  // the headers of every /auth request
const routes = {
  // seed 000: SimpleHealthChecker, overall degraded at 200
  '/seed000': json({
    timestamp: '2026-01-25T14:00:00Z', overall: 'degraded',
    components: {
      database: { status: 'healthy', responseTime: 3 },
      partnerUsers: { status: 'degraded', details: { activeUsers: 4, errorUsers: 3, errorRate: '75.00' } },
      application: { status: 'healthy', details: { memoryUsedMB: 120, uptimeHours: 3.5 } },
    },
  }),
  // seed 002: status healthy with a checks map
  '/seed002': json({
    status: 'healthy', version: '1.0.0', checks: {
      database: { status: 'healthy', response_time_ms: 5 }, redis: { status: 'healthy', response_time_ms: 2 },
      workers: { status: 'healthy', active_count: 5, total_count: 8 }, api: { status: 'healthy', uptime_seconds: 7200 },
    },
  }),
  '/seed002-redis-down': json({
    status: 'healthy', checks: { database: { status: 'healthy' }, redis: { status: 'unhealthy', error: 'ECONNREFUSED' } },
  }),
  // seed 003: the literal "OK" always; success and database.connected tell the truth
  '/seed003': json({ success: true, status: 'OK', database: { connected: true }, redis: { connected: true } }),
  '/seed003-down': json({ success: false, status: 'OK', database: { connected: false }, redis: { connected: true } }),
  '/seed003-db-down': json({ success: true, status: 'OK', database: { connected: false }, redis: { connected: true } }),
  '/draft': json({
    status: 'pass', checks: {
      'db:responseTime': [{ componentId: 'db1', componentType: 'datastore', observedValue: 250, observedUnit: 'ms', status: 'warn', output: 'slow queries' }],
      'uptime': [{ componentType: 'system', observedValue: 1209600.245, observedUnit: 's', status: 'pass' }],
    },
  }, 'application/health+json'),
  '/spring': json({
    status: 'UP', components: {
      db: { status: 'DOWN', details: { error: 'org.springframework.jdbc.CannotGetJdbcConnectionException' } },
      diskSpace: { status: 'UP', details: { total: 100, free: 50, threshold: 10, exists: true } },
      ping: { status: 'UP' },
    },
  }, 'application/vnd.spring-boot.actuator.v3+json'),
  '/data': json({ data: [{ ok: true, name: 'a' }], count: 3 }),
  '/not-json': json('<html>502 Bad Gateway</html>'),
  '/binary': (req, res) => res.writeHead(200, { 'content-type': 'application/octet-stream' })
    .end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff, 0xfe, 0x72, 0x65, 0x61, 0x64, 0x79])),
  '/binary-json': (req, res) => res.writeHead(200, { 'content-type': 'application/json' })
    .end(Buffer.from([0x7b, 0, 0xff, 0xfe, 0x22])),
  '/text': (req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('build 4711 is ready'),
  '/big': (req, res) => res.writeHead(200, { 'content-type': 'application/json' })
    .end(`{"status":"ok","pad":"${'x'.repeat(2 << 20)}"}`),
  '/auth': (req, res) => {
    seen.push(req.headers);
    const want = `Basic ${Buffer.from(`ops:${SECRET}`).toString('base64')}`;
    if (req.headers.authorization !== want) return res.writeHead(401, { 'www-authenticate': 'Basic' }).end();
    return json({ status: 'ok' })(req, res);
  },
  '/headers': (req, res) => { seen.push(req.headers); json({ status: 'ok' })(req, res); },
};
const handler = (req, res) => (routes[req.url] ?? ((q, r) => r.writeHead(404).end()))(req, res);

let web, secure, dir;
const url = (p) => `http://${HOST}:${web.address().port}${p}`;
const surl = (p) => `https://${HOST}:${secure.address().port}${p}`;
const listen = (srv) => new Promise((resolve) => srv.listen(0, HOST, () => resolve(srv)));

before(async () => {
  dir = tempDir('tls');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'),
    '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  web = await listen(http.createServer(handler));
  secure = await listen(https.createServer(
    { key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, handler));
});

after(async () => {
  await Promise.all([web, secure].map((s) => s && new Promise((r) => s.close(r))));
});

const health = (args, opts) => runJson(['health', '-o', 'json', ...args], opts);
const components = (r) => Object.fromEntries(r.json.checks[0].details.components.map((c) => [c.name, c]));

describe('bodies', () => {
  test('seed 000: overall degraded at 200 is a warning, every component listed with its level', async () => {
    const args = ['--http', url('/seed000')];
    const r = await health(args);
    assertCode(args, r, 1);
    const c = r.json.checks[0];
    assert.equal(c.status, 'warning');
    assert.match(c.message, /health body says degraded/);
    assert.match(c.message, /partnerUsers: warning/);
    const comps = components(r);
    assert.deepEqual(Object.keys(comps).sort(), ['application', 'database', 'partnerUsers']);
    assert.equal(comps.database.status, 'ok');
    assert.equal(comps.partnerUsers.status, 'warning');
    for (const comp of c.details.components) assert.deepEqual(Object.keys(comp).sort(), ['message', 'name', 'status']);
    for (const f of ['name', 'kind', 'target', 'status', 'latency_ms', 'message', 'details']) assert.ok(f in c, f);
  });

  test('seed 000 in text: components indented under their check with their levels', async () => {
    const r = await run(['health', '--http', url('/seed000')]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /^\s+partnerUsers\s+warning\b/m);
    assert.match(r.stdout, /^\s+database\s+ok\b/m);
    assert.match(r.stdout, /health body says degraded/);
  });

  test('seed 002: healthy with four healthy checks is ok; an unhealthy check under it is critical', async () => {
    const ok = await health(['--http', url('/seed002')]);
    assert.equal(ok.code, 0, ok.stdout);
    assert.equal(ok.json.checks[0].details.components.length, 4);
    assert.ok(ok.json.checks[0].details.components.every((c) => c.status === 'ok'));
    const bad = await health(['--http', url('/seed002-redis-down')]);
    assert.equal(bad.code, 2, bad.stdout);
    assert.match(bad.json.checks[0].message, /redis: critical \(unhealthy; ECONNREFUSED\)/);
  });

  test('seed 003: success:false is critical; connected:false names the component even under success:true', async () => {
    assert.equal((await health(['--http', url('/seed003')])).code, 0);
    const down = await health(['--http', url('/seed003-down')]);
    assert.equal(down.code, 2, down.stdout);
    assert.match(down.json.checks[0].message, /success: false/);
    assert.match(down.json.checks[0].message, /database: critical \(connected: false\)/);
    const db = await health(['--http', url('/seed003-db-down')]);
    assert.equal(db.code, 2, db.stdout);
    assert.equal(components(db).database.status, 'critical');
    assert.equal(components(db).redis.status, 'ok');
  });

  test('health+json draft: checks is a map of arrays; a warn component makes a pass body a warning', async () => {
    const r = await health(['--http', url('/draft')]);
    assert.equal(r.code, 1, r.stdout);
    const comps = components(r);
    assert.equal(comps['db:responseTime'].status, 'warning');
    assert.match(comps['db:responseTime'].message, /slow queries/);
    assert.equal(comps.uptime.status, 'ok');
  });

  test('Spring Boot actuator: components.db DOWN under UP is critical, with the error', async () => {
    const r = await health(['--http', url('/spring')]);
    assert.equal(r.code, 2, r.stdout);
    assert.equal(components(r).db.status, 'critical');
    assert.match(components(r).db.message, /CannotGetJdbcConnectionException/);
    assert.equal(components(r).diskSpace.status, 'ok');
  });

  test('a JSON content type over a body that is not JSON, binary, or over 1 MiB: a note, no crash', async () => {
    for (const p of ['/not-json', '/binary-json', '/big']) {
      const r = await health(['--http', url(p)]);
      assert.equal(r.code, 0, `${p}: ${r.stdout}`);
      assert.match(r.json.checks[0].details.body_note, /not valid JSON|1 MiB/, p);
      assert.match(r.json.checks[0].message, /not judged/, p);
    }
    const bin = await health(['--http', url('/binary'), '--expect-body', 'rea.y$']);
    assert.equal(bin.code, 0, bin.stdout);
  });
});

describe('--expect-json and --expect-body', () => {
  test('--expect-json matches scalars and strings at dotted paths', async () => {
    const args = ['--http', url('/seed003'), '--expect-json', 'success=true', '--expect-json', 'status=OK',
      '--expect-json', 'database.connected=true'];
    assertCode(args, await health(args), 0);
    assertCode(['data'], await health(['--http', url('/data'), '--expect-json', 'data.0.ok=true', '--expect-json', 'count=3']), 0);
  });

  test('a mismatch or a missing path is critical, naming path, expected and actual', async () => {
    const r = await health(['--http', url('/seed003'), '--expect-json', 'status=ok', '--expect-json', 'data.0.ok=true']);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.json.checks[0].message, /status is "OK", expected "ok"/);
    assert.match(r.json.checks[0].message, /data\.0\.ok is missing, expected true/);
    const text = await health(['--http', url('/text'), '--expect-json', 'success=true']);
    assert.equal(text.code, 2);
    assert.match(text.json.checks[0].message, /success: body is not JSON/);
  });

  test('--expect-json without = is a usage error', async () => {
    const r = await run(['health', '--http', url('/seed003'), '--expect-json', 'success']);
    assert.equal(r.code, 64, r.stderr);
    assert.match(r.stderr, /--expect-json "success"/);
  });

  test('--expect-body is a regex search; plain text still works', async () => {
    assert.equal((await health(['--http', url('/text'), '--expect-body', 'build [0-9]+ is ready$'])).code, 0);
    assert.equal((await health(['--http', url('/text'), '--expect-body', 'is ready'])).code, 0);
    const miss = await health(['--http', url('/text'), '--expect-body', '^ready']);
    assert.equal(miss.code, 2);
    assert.match(miss.json.checks[0].message, /body does not contain "\^ready"/);
  });

  test('a regex whose cost explodes on a long body is given up after --timeout: unknown, not a hang', async () => {
    const r = await health(['--timeout', '1s', '--http', url('/big'), '--expect-body', 'x.*z']);
    assert.equal(r.code, 3, r.stdout);
    assert.match(r.json.checks[0].message, /gave up after 1s/);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    const backref = await run(['health', '--http', url('/text'), '--expect-body', '(d)\\1']);
    assert.equal(backref.code, 64, backref.stderr);
    assert.match(backref.stderr, /backreferences/);
  });

  test('an invalid regex is a usage error naming it', async () => {
    const r = await run(['health', '--http', url('/text'), '--expect-body', 'build (']);
    assert.equal(r.code, 64, r.stderr);
    assert.match(r.stderr, /--expect-body "build \(" is not a valid regular expression/);
    const nagios = await run(['health', '-o', 'nagios', '--http', url('/text'), '--expect-body', '[z-a]']);
    assert.ok(nagios.code === 3 || nagios.code === 64, `${nagios.code}`);
  });
});

describe('headers and basic auth', () => {
  const leaks = (r) => [r.stdout, r.stderr].some((t) => t.includes(SECRET));

  test('--header from @FILE and env:VAR reaches the server; the value is never printed', async () => {
    const file = path.join(tempDir('hdr'), 'token');
    writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
    seen.length = 0;
    for (const o of ['json', 'text', 'nagios', 'prom']) {
      const r = await run(['health', '-o', o, '--http', url('/headers'), '--header', `X-Api-Key: @${file}`,
        '--header', 'X-Trace: env:TRACE_TOKEN'], { env: { TRACE_TOKEN: `${SECRET}-2` } });
      assert.equal(r.code, 0, `${o}: ${r.stdout}${r.stderr}`);
      assert.ok(!leaks(r), `${o} leaked: ${r.stdout}${r.stderr}`);
    }
    assert.equal(seen.length, 4);
    assert.equal(seen[0]['x-api-key'], SECRET);
    assert.equal(seen[0]['x-trace'], `${SECRET}-2`);
    const r = await health(['--http', url('/headers'), '--header', `X-Api-Key: @${file}`]);
    assert.deepEqual(r.json.checks[0].details.request_headers, ['X-Api-Key: ***']);
  });

  test('a secret header typed on the command line works, with a warning that does not repeat it', async () => {
    seen.length = 0;
    const r = await health(['--http', url('/headers'), '--header', `Authorization: Bearer ${SECRET}`]);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(seen[0].authorization, `Bearer ${SECRET}`);
    assert.match(r.stderr, /warning: the value of --header Authorization is visible in ps/);
    assert.ok(!leaks(r));
  });

  test('an unset env:VAR or a malformed header is a usage error without the value', async () => {
    const unset = await run(['health', '--http', url('/headers'), '--header', 'X-Api-Key: env:NOPE_UNSET']);
    assert.equal(unset.code, 64, unset.stderr);
    assert.match(unset.stderr, /NOPE_UNSET is not set/);
    const bad = await run(['health', '--http', url('/headers'), '--header', `Authorization ${SECRET}`]);
    assert.equal(bad.code, 64, bad.stderr);
    assert.ok(!leaks(bad));
  });

  test('basic auth from --basic-auth-file and from OPSCTL_HTTP_USER/OPSCTL_HTTP_PASSWORD', async () => {
    assert.equal((await health(['--http', url('/auth')])).code, 2);  // 401 without credentials
    const file = path.join(tempDir('auth'), 'creds');
    writeFileSync(file, `ops:${SECRET}\n`, { mode: 0o600 });
    for (const o of ['json', 'text', 'nagios']) {
      const r = await run(['health', '-o', o, '--http', url('/auth'), '--basic-auth-file', file]);
      assert.equal(r.code, 0, `${o}: ${r.stdout}${r.stderr}`);
      assert.ok(!leaks(r));
    }
    const env = await health(['--http', url('/auth')], { env: { OPSCTL_HTTP_USER: 'ops', OPSCTL_HTTP_PASSWORD: SECRET } });
    assert.equal(env.code, 0, env.stdout);
    assert.equal(env.json.checks[0].details.basic_auth, true);
    assert.ok(!leaks(env));
    const wrong = await health(['--http', url('/auth')], { env: { OPSCTL_HTTP_USER: 'ops', OPSCTL_HTTP_PASSWORD: 'nope' } });
    assert.equal(wrong.code, 2);
    assert.match(wrong.json.checks[0].message, /HTTP 401/);
  });
});

describe('a context\'s http entries', () => {
  test('expect_json, headers from env:VAR, basic_auth_file and cacert from the config file', async () => {
    const d = tempDir('ctx');
    const creds = path.join(d, 'creds');
    writeFileSync(creds, `ops:${SECRET}\n`, { mode: 0o600 });
    const config = path.join(d, 'config.yaml');
    writeFileSync(config, `current-context: prod
contexts:
  - name: prod
    http:
      - name: api
        url: ${surl('/seed003-down')}
        cacert: ${path.join(dir, 'cert.pem')}
        expect_json: [success=true]
      - name: board
        url: ${url('/auth')}
        basic_auth_file: ${creds}
        headers: ["X-Api-Key: env:API_KEY", "X-Literal: ${SECRET}-lit"]
`);
    seen.length = 0;
    const r = await health(['--config', config], { env: { API_KEY: `${SECRET}-k` } });
    assert.equal(r.code, 2, r.stdout);
    const [api, board] = r.json.checks;
    assert.equal(api.name, 'api');
    assert.match(api.message, /success is false, expected true/);
    assert.equal(board.status, 'ok', board.message);
    assert.equal(seen[0]['x-api-key'], `${SECRET}-k`);
    assert.ok(![r.stdout, r.stderr].some((t) => t.includes(SECRET)));
    assert.equal(seen[0]['x-literal'], `${SECRET}-lit`);
    const view = await run(['--config', config, 'config', 'view', '-o', 'json']);
    assert.equal(view.code, 0, view.stderr);
    assert.ok(!view.stdout.includes(SECRET), view.stdout);
    assert.match(view.stdout, /X-Literal: \*\*\*/);
    assert.match(view.stdout, /X-Api-Key: env:API_KEY/);
  });

  test('an invalid expect_body regex in the config is a configuration error', async () => {
    const d = tempDir('ctx');
    const config = path.join(d, 'config.yaml');
    writeFileSync(config, `current-context: prod
contexts:
  - name: prod
    http:
      - {name: api, url: "${url('/text')}", expect_body: "ready("}
`);
    const r = await run(['--config', config, 'health']);
    assert.equal(r.code, 78, r.stderr);
    assert.match(r.stderr, /http check api: --expect-body "ready\(" is not a valid regular expression/);
  });
});

describe('TLS', () => {
  test('a self-signed certificate is critical without --cacert, with a message that says what to do', async () => {
    const r = await health(['--http', surl('/seed003')]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(r.json.checks[0].message, /TLS certificate not trusted/);
    assert.match(r.json.checks[0].message, /--cacert/);
    assert.equal(r.json.checks[0].details.tls_verified, true);
  });

  test('--cacert with the certificate verifies it: ok', async () => {
    const r = await health(['--http', surl('/seed003'), '--cacert', path.join(dir, 'cert.pem')]);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.json.checks[0].details.tls_verified, true);
    assert.ok(!/not verified/.test(r.json.checks[0].message));
  });

  test('--insecure is ok and says so in JSON, text and on stderr', async () => {
    const r = await health(['--http', surl('/seed003'), '--insecure']);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.json.checks[0].message, /TLS certificate not verified \(--insecure\)/);
    assert.equal(r.json.checks[0].details.tls_verified, false);
    assert.match(r.stderr, /warning: --insecure/);
    const text = await run(['health', '--http', surl('/seed003'), '--insecure']);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /not verified \(--insecure\)/);
    const nagios = await run(['health', '-o', 'nagios', '--http', surl('/seed003'), '--insecure']);
    assert.equal(nagios.code, 0);
    assert.match(nagios.stderr, /--insecure/);
    assert.match(nagios.stdout, /^OPSCTL HEALTH OK - 1 of 1 checks ok; TLS not verified \(--insecure\): /);
  });

  test('a --cacert file that does not exist is a usage error naming it', async () => {
    const missing = path.join(dir, 'missing.pem');
    const r = await run(['health', '--http', surl('/seed003'), '--cacert', missing]);
    assert.equal(r.code, 64, r.stderr);
    assert.ok(r.stderr.includes(missing));
  });
});
