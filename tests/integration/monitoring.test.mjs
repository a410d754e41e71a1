// Monitoring outputs checked by their real consumers: node_exporter's textfile collector scraping a
// directory that every command of the README's recipes writes to (healthy, then with each target
// down), python3-nagiosplugin's range parser re-deriving each Nagios line's level from its
// perfdata, jq -e on the JSON of every failure class, and Nagios exit codes for usage and config
// errors.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, describe, test } from 'node:test';

import { seedBacklog } from '../lib/fixtures.mjs';
import {
  HOST, OPSCTL_BIN, freePort, lines, refusedPort, run, seedMeta, silentServer, sleep, tempDir, waitFor,
} from '../lib/harness.mjs';
import { APP_PASSWORD } from '../lib/pg.mjs';
import { setup, usePostgres, useRedis } from '../lib/servers.mjs';

const NOW = Date.now();
const redis = useRedis();
const pg = usePostgres({ maxConnections: 12, superuserReserved: 3, releaseAfterEach: false });
let web;
let webPort;
let exporter;
let exporterPort;
let textDir;
let deadPort;

setup(async () => {
  await seedMeta(redis, 'q');
  await seedBacklog(redis, 'q', 12, () => ({ name: 'mail', data: '{}', opts: '{}', timestamp: NOW - 60000, atm: 0 }));
  await redis.cli('SET', 'bull:q:id', '12');
  await seedMeta(redis, 'calm');
  web = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  await new Promise((r) => web.listen(0, HOST, r));
  webPort = web.address().port;
  deadPort = await refusedPort();

  textDir = tempDir('textfile');
  exporterPort = await freePort();
  exporter = spawn('prometheus-node-exporter', ['--collector.disable-defaults', '--collector.textfile',
    `--collector.textfile.directory=${textDir}`, `--web.listen-address=${HOST}:${exporterPort}`],
  { stdio: ['ignore', 'ignore', 'pipe'] });
  exporter.log = '';
  exporter.stderr.on('data', (d) => { exporter.log += d; });
  await waitFor(async () => (await scrape().catch(() => null)) !== null, { what: 'node_exporter to answer' });
});

after(async () => {
  exporter?.kill('SIGKILL');
  await new Promise((r) => (web ? web.close(r) : r()));
});

function scrape() {
  return new Promise((resolve, reject) => {
    http.get({ host: HOST, port: exporterPort, path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function sampleValue(text, series) {
  const line = lines(text).find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// The exporter's own view: gather errors (duplicates, conflicting HELP) and unreadable files. The
// error counter of a scrape counts the scrapes before it: a second scrape reads the first's errors.
async function scrapeHealthy() {
  const text = await scrape();
  const next = await scrape();
  return {
    text,
    gatherErrors: sampleValue(next, 'promhttp_metric_handler_errors_total{cause="gathering"}'),
    fileErrors: sampleValue(text, 'node_textfile_scrape_error'),
    opsctl: new Set(lines(text).filter((l) => l.startsWith('opsctl_')).map((l) => l.slice(0, l.lastIndexOf(' ')))),
  };
}

function seriesOfFiles(dir) {
  const all = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.prom'))) {
    for (const l of lines(readFileSync(path.join(dir, f), 'utf8'))) {
      if (!l.startsWith('#')) all.push(l.slice(0, l.lastIndexOf(' ')));
    }
  }
  return all;
}

// The README's recipes, each into its own file of one shared textfile directory.
async function recipes({ redisUrl, pgUrl, pgEnv, httpUrl }) {
  const f = (n) => path.join(textDir, n);
  const cmds = {
    'queue-q.prom': ['queue', 'inspect', 'q', '--redis', redisUrl, '--prom-file', f('queue-q.prom')],
    'queues.prom': ['queue', 'list', '--redis', redisUrl, '--prom-file', f('queues.prom')],
    'schedulers-q.prom': ['queue', 'schedulers', 'q', '--redis', redisUrl, '--prom-file', f('schedulers-q.prom')],
    'pg.prom': ['db', 'pool', '--pg', pgUrl, '--prom-file', f('pg.prom')],
    'health.prom': ['health', '--redis', redisUrl, '--pg', pgUrl, '--http', httpUrl, '--prom-file', f('health.prom')],
  };
  const out = {};
  for (const [file, args] of Object.entries(cmds)) {
    out[file] = await run([...args, '--timeout', '2s'], { env: pgEnv });
    assert.equal(out[file].stdout, '', `${file}: nothing on stdout with --prom-file`);
  }
  return out;
}

describe('node_exporter textfile collector', () => {
  test('a duplicate series across files is a gather error (the check below can fail)', async () => {
    const base = (await scrapeHealthy()).gatherErrors;
    writeFileSync(path.join(textDir, 'dup-a.prom'), '# HELP opsctl_queue_jobs x\n# TYPE opsctl_queue_jobs gauge\nopsctl_queue_jobs{queue="z"} 1\n');
    copyFileSync(path.join(textDir, 'dup-a.prom'), path.join(textDir, 'dup-b.prom'));
    try {
      const s = await scrapeHealthy();
      assert.equal(s.gatherErrors, base + 1, s.text);
      assert.equal(s.fileErrors, 0, 'node_exporter does not count it as a file error');
    } finally {
      rmSync(path.join(textDir, 'dup-a.prom'));
      rmSync(path.join(textDir, 'dup-b.prom'));
    }
  });

  test('every recipe into one directory, healthy: zero gather errors, every series scraped, success 1', async () => {
    const before0 = (await scrapeHealthy()).gatherErrors;
    const r = await recipes({ redisUrl: redis.url, pgUrl: pg.appUrl, pgEnv: pg.appEnv, httpUrl: `http://${HOST}:${webPort}/health` });
    for (const [file, res] of Object.entries(r)) assert.ok(res.code <= 1, `${file}: exit ${res.code} ${res.stderr}`);
    const s = await scrapeHealthy();
    assert.equal(s.gatherErrors, before0, exporter.log);
    assert.equal(s.fileErrors, 0);
    const files = seriesOfFiles(textDir);
    assert.equal(new Set(files).size, files.length, 'a series is in two files');
    for (const series of files) assert.ok(s.opsctl.has(series), `not scraped: ${series}`);
    for (const file of Object.keys(r)) {
      const mine = files.filter((x) => x.startsWith('opsctl_check_success{') && x.includes(`file="${file}"`));
      assert.equal(mine.length, 1, `${file}: one opsctl_check_success`);
      assert.equal(sampleValue(s.text, mine[0]), 1, mine[0]);
      assert.ok(files.some((x) => x.startsWith('opsctl_last_run_timestamp_seconds{') && x.includes(`file="${file}"`)));
    }
    assert.ok(files.some((x) => x.startsWith('opsctl_queue_jobs{command="queue inspect"')));
    assert.ok(files.some((x) => x.startsWith('opsctl_queue_jobs{command="queue list"')));
    assert.equal(sampleValue(s.text, `opsctl_redis_up{command="queue inspect",prefix="bull",queue="q",target="${HOST}:${redis.port}"}`), 1);
    const stamp = lines(s.text).find((l) => l.startsWith('opsctl_last_run_timestamp_seconds{command="queue inspect"'));
    assert.ok(Math.abs(Number(stamp.split(' ').pop()) - Date.now() / 1000) < 60, stamp);
  });

  test('every target down: every file rewritten, up 0 with the error class, nothing stale, zero gather errors', async () => {
    const before0 = (await scrapeHealthy()).gatherErrors;
    const deadRedis = `redis://${HOST}:${deadPort}`;
    const deadPg = `postgresql://app@${HOST}:${deadPort}/appdb`;
    const r = await recipes({ redisUrl: deadRedis, pgUrl: deadPg, pgEnv: {}, httpUrl: `http://${HOST}:${deadPort}/health` });
    for (const [file, res] of Object.entries(r)) assert.equal(res.code, 2, `${file}: ${res.stderr}`);
    const s = await scrapeHealthy();
    assert.equal(s.gatherErrors, before0, exporter.log);
    for (const file of ['queue-q.prom', 'queues.prom', 'schedulers-q.prom', 'pg.prom']) {
      const text = readFileSync(path.join(textDir, file), 'utf8');
      assert.match(text, new RegExp(`^opsctl_check_success\\{[^}]*error="connection_refused"[^}]*file="${file}"[^}]*\\} 0$`, 'm'), text);
      assert.doesNotMatch(text, /^opsctl_(queue_jobs|pg_connections)/m, `stale figures kept in ${file}`);
    }
    assert.match(readFileSync(path.join(textDir, 'queue-q.prom'), 'utf8'),
      new RegExp(`^opsctl_redis_up\\{command="queue inspect",error="connection_refused",prefix="bull",queue="q",target="${HOST}:${deadPort}"\\} 0$`, 'm'));
    assert.match(readFileSync(path.join(textDir, 'pg.prom'), 'utf8'), /^opsctl_pg_up\{error="connection_refused",target="[^"]+"\} 0$/m);
    // health reached its verdict: every check down, the run itself a success.
    const h = readFileSync(path.join(textDir, 'health.prom'), 'utf8');
    assert.equal(lines(h).filter((l) => /^opsctl_check_up\{.*\} 0$/.test(l)).length, 3, h);
    assert.match(h, /^opsctl_check_success\{command="health",file="health.prom"\} 1$/m);
    for (const series of seriesOfFiles(textDir)) assert.ok(s.opsctl.has(series), `not scraped: ${series}`);
    assert.ok(![...s.opsctl].some((x) => x.startsWith('opsctl_queue_jobs')), 'a stale queue figure is still scraped');
  });

  test('a wrong password and a bad config also rewrite the file, each with its class', async () => {
    const file = path.join(textDir, 'pg.prom');
    const r = await run(['db', 'pool', '--pg', pg.appUrl, '--prom-file', file], { env: { PGPASSWORD: 'Wrong-1' } });
    assert.equal(r.code, 2, r.stderr);
    assert.match(readFileSync(file, 'utf8'), /^opsctl_pg_up\{error="auth",target="[^"]+"\} 0$/m);
    const cfg = path.join(tempDir('cfg'), 'config.yaml');
    writeFileSync(cfg, 'contexts:\n  - name: [broken\n');
    const c = await run(['queue', 'inspect', 'q', '--config', cfg, '--prom-file', path.join(textDir, 'queue-q.prom')]);
    assert.equal(c.code, 78, c.stderr);
    assert.match(readFileSync(path.join(textDir, 'queue-q.prom'), 'utf8'),
      /^opsctl_check_success\{command="queue inspect",error="config",file="queue-q.prom"\} 0$/m);
    const s = await scrapeHealthy();
    assert.equal(s.fileErrors, 0);
  });
});

function jq(filter, input) {
  return new Promise((resolve) => {
    const child = execFile('jq', ['-e', filter], (err) => resolve(err ? err.code : 0));
    child.stdin.end(input);
  });
}

describe('-o json on every failure class, read by jq -e', () => {
  const classes = [
    ['connection refused', () => ['queue', 'inspect', 'q', '--redis', `redis://${HOST}:${deadPort}`], {}, 2, 'connection_refused', 'critical'],
    ['wrong password', () => ['db', 'pool', '--pg', pg.appUrl], { PGPASSWORD: 'Wrong-2' }, 2, 'auth', 'critical'],
    ['bad config', () => ['db', 'pool', '--config', path.join(tempDir('c'), 'missing.yaml')], {}, 78, 'config', 'unknown'],
    ['bad flag', () => ['queue', 'list', '--no-such-flag'], {}, 64, 'usage', 'unknown'],
  ];
  for (const [what, args, env, code, kind, status] of classes) {
    test(`${what}: one document, status ${status}, error.kind ${kind}, jq -e '.status=="ok"' fails`, async () => {
      const a = [...args(), '-o', 'json', '--timeout', '2s'];
      const r = await run(a, { env });
      assert.equal(r.code, code, r.stderr);
      const doc = JSON.parse(r.stdout);
      assert.equal(doc.status, status);
      assert.equal(await jq('.status == "ok"', r.stdout), 1);
      assert.equal(await jq(`.error.kind == "${kind}" and (.error.message | length > 0)`, r.stdout), 0, r.stdout);
    });
  }

  test('a silent server: timeout, within --timeout', async () => {
    const silent = await silentServer();
    try {
      const t0 = Date.now();
      const r = await run(['queue', 'inspect', 'q', '--redis', silent.url, '-o', 'json', '--timeout', '500ms']);
      assert.ok(Date.now() - t0 < 3000);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(await jq('.error.kind == "timeout" and .status == "critical" and .counts == null and .queue == "q"', r.stdout), 0, r.stdout);
    } finally {
      await silent.close();
    }
  });

  test('the documented fields are there, null where unknown', async () => {
    const r = await run(['db', 'pool', '--pg', `postgresql://app@${HOST}:${deadPort}/appdb`, '-o', 'json']);
    const doc = JSON.parse(r.stdout);
    for (const k of ['status', 'max_connections', 'superuser_reserved', 'reserved', 'used', 'available', 'by_state',
      'idle_in_transaction', 'long_running', 'blockers']) assert.ok(k in doc, `${k} missing`);
    assert.equal(doc.available, null);
    const m = await run(['queue', 'retry', 'q', '--redis', `redis://${HOST}:${deadPort}`, '--yes', '-o', 'json']);
    assert.equal(m.code, 2);
    const md = JSON.parse(m.stdout);
    assert.deepEqual([md.action, md.dry_run, md.matched, md.changed, md.error.kind], ['queue.retry', false, null, 0, 'connection_refused']);
  });

  test('the server full: db pool answers with its verdict, and jq sees it critical', async () => {
    const clients = [];
    for (let i = 0; i < 9; i++) clients.push(pg.hold('filler', ['SELECT 1;']));
    try {
      await Promise.all(clients.map((c) => c.ready()));
      const r = await run(['db', 'pool', '--pg', pg.appUrl, '-o', 'json', '--timeout', '2s'], { env: pg.appEnv });
      assert.equal(r.code, 2, r.stderr);
      assert.equal(await jq('.status == "ok"', r.stdout), 1);
      assert.equal(await jq('.status == "critical" and .connected == false and .error_kind == "too_many_clients"', r.stdout), 0, r.stdout);
      const p = path.join(tempDir('full'), 'pg.prom');
      await run(['db', 'pool', '--pg', pg.appUrl, '--prom-file', p, '--timeout', '2s'], { env: pg.appEnv });
      const text = readFileSync(p, 'utf8');
      assert.match(text, /^opsctl_pg_up\{error="too_many_clients",target="[^"]+"\} 0$/m, text);
      assert.match(text, /^opsctl_check_success\{command="db pool",file="pg.prom",target="[^"]+"\} 1$/m, text);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });
});

describe('-o nagios exits 0-3 whatever happens', () => {
  test('a usage error is UNKNOWN (3) with a line naming it', async () => {
    const r = await run(['queue', 'inspect', 'q', '--no-such-flag', '-o', 'nagios']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(lines(r.stdout).length, 1);
    assert.match(r.stdout, /^OPSCTL QUEUE UNKNOWN - usage error: .*--no-such-flag/);
  });

  test('a config error is UNKNOWN (3) with a line naming the file', async () => {
    const cfg = path.join(tempDir('cfg'), 'config.yaml');
    writeFileSync(cfg, 'contexts: [\n');
    const r = await run(['db', 'pool', '--config', cfg, '-o', 'nagios']);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /^OPSCTL DB UNKNOWN - config error: .*config\.yaml/);
  });

  test('a refused mutation never exits 4 under -o nagios', async () => {
    const r = await run(['queue', 'retry', 'q', '--redis', redis.url, '-o', 'nagios']);
    assert.ok(r.code >= 0 && r.code <= 3, `exit ${r.code}`);
    assert.match(r.stdout, /^OPSCTL QUEUE UNKNOWN - /);
  });
});

// Re-derives a Nagios line's level from its perfdata with nagiosplugin's own Range.
const RANGE_CHECK = `
import sys, nagiosplugin, shlex
line = sys.stdin.read().strip()
perf = line.split(' | ', 1)[1] if ' | ' in line else ''
level = 0
lex = shlex.shlex(perf, posix=True); lex.whitespace_split = True; lex.quotes = "'"
for item in lex:
    label, _, rest = item.rpartition('=')
    parts = rest.split(';')
    value = ''.join(c for c in parts[0] if c in '-0123456789.')
    if value in ('', '-'): continue
    v = float(value)
    warn = parts[1] if len(parts) > 1 else ''
    crit = parts[2] if len(parts) > 2 else ''
    if crit and not nagiosplugin.Range(crit).match(v): level = max(level, 2)
    elif warn and not nagiosplugin.Range(warn).match(v): level = max(level, 1)
print(level)
`;

function rederive(line) {
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', ['-c', RANGE_CHECK], (err, stdout, stderr) => {
      if (err) reject(new Error(stderr)); else resolve(Number(stdout.trim()));
    });
    child.stdin.end(line);
  });
}

const WORDS = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

describe('perfdata agrees with the level (python3-nagiosplugin)', () => {
  // q has 12 waiting jobs and no worker: the backlog check compares 12 with the thresholds.
  for (const warn of [11, 12, 13]) {
    for (const crit of [warn, warn + 1]) {
      test(`queue inspect: 12 waiting, --warn-wait ${warn} --crit-wait ${crit}`, async () => {
        const r = await run(['queue', 'inspect', 'q', '--redis', redis.url, '-o', 'nagios',
          '--warn-wait', String(warn), '--crit-wait', String(crit), '--warn-wait-age', '0s']);
        const m = r.stdout.match(/^OPSCTL QUEUE (\w+) /);
        assert.ok(m, r.stdout);
        assert.equal(r.code, WORDS[m[1]]);
        assert.equal(await rederive(r.stdout), WORDS[m[1]], r.stdout);
        assert.doesNotMatch(r.stdout.split(' | ')[1], /[0-9]\.[0-9]{5,}/, 'float noise in perfdata');
      });
    }
  }

  for (const slow of ['1ms', '10s']) {
    test(`health --slow ${slow}: the latency's warn threshold agrees, labels need no quotes`, async () => {
      const r = await run(['health', '--http', `http://${HOST}:${webPort}/health`, '--pg', pg.appUrl,
        '--slow', slow, '-o', 'nagios'], { env: pg.appEnv });
      const m = r.stdout.match(/^OPSCTL HEALTH (\w+) /);
      assert.ok(m, r.stdout);
      assert.equal(await rederive(r.stdout), WORDS[m[1]], r.stdout);
      const perf = r.stdout.trim().split(' | ')[1];
      assert.doesNotMatch(perf, /'/, perf);
      for (const item of perf.split(' ')) {
        assert.equal(item.split('=').length, 2, `label with '=': ${item}`);
        assert.match(item, /=[0-9]+(\.[0-9]{1,4})?s(;|$)/, item);
      }
    });
  }

  test('db pool: used against its ranges', async () => {
    const r = await run(['db', 'pool', '--pg', pg.appUrl, '-o', 'nagios'], { env: pg.appEnv });
    const m = r.stdout.match(/^OPSCTL DB (\w+) /);
    assert.ok(m, r.stdout);
    assert.equal(await rederive(r.stdout), Math.min(WORDS[m[1]], 2), r.stdout);
  });
});

test('stdout closed by its reader: no death by SIGPIPE, exit non-zero, the cause on stderr', async () => {
  const child = spawn(OPSCTL_BIN,
    ['queue', 'list', '--redis', redis.url, '-o', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const [code, signal] = await new Promise((r) => child.on('exit', (c, s) => r([c, s])));
  assert.equal(signal, null);
  assert.notEqual(code, 0);
  assert.match(err, /stdout is closed/);
  await sleep(1);
});
