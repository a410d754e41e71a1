// db pool against a real PostgreSQL 15 (max_connections 12, superuser_reserved_connections 3: nine
// slots for normal roles) with PgBouncer in front (session pooling, two server connections).
// Leaked transactions, a full server and waiting pooler clients are held open by real psql clients.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { assertCode, lines, REPO, refusedPort, run, runJson, sleep, tempDir, waitFor } from '../lib/harness.mjs';
import { usePostgres } from '../lib/servers.mjs';

const pg = usePostgres({ pgbouncer: true, poolSize: 2 });

const asSuper = (...args) => [['db', 'pool', '--pg', pg.superUrl, ...args], { env: pg.superEnv }];
const asApp = (...args) => [['db', 'pool', '--pg', pg.appUrl, ...args], { env: pg.appEnv }];

async function leak(n, app = 'leaky') {
  for (let i = 0; i < n; i++) pg.hold(app, ['BEGIN;', 'SELECT 1;']);
  return pg.waitSessions(app, 'idle in transaction', n);
}

describe('db pool', () => {
  test('an idle server is ok; the reserves are counted out; opsctl does not count itself', async () => {
    const [args, opts] = asApp('-o', 'json');
    const r = await runJson(args, opts);
    assertCode(args, r, 0);
    const j = r.json;
    assert.equal(j.status, 'ok');
    assert.equal(j.max_connections, 12);
    assert.equal(j.superuser_reserved, 3);
    assert.equal(j.reserved, 0);
    assert.equal(j.usable, 9);
    assert.equal(j.used, 0);
    assert.equal(j.available, 9);
    assert.deepEqual(j.by_state, { active: 0, idle: 0, idle_in_transaction: 0, idle_in_transaction_aborted: 0 });
    for (const k of ['idle_in_transaction', 'long_running', 'blockers']) assert.deepEqual(j[k], []);
    assert.equal(j.verdict, 'ok: 0 of 9 usable slots in use (0%)');
    assert.equal(r.stderr, '');
  });

  test('leaked transactions: a warning naming them, with pid and backend_start; younger ones are not leaked', async () => {
    const held = await leak(2);
    pg.hold('busy', ['SELECT 1;']);
    await pg.waitSessions('busy', 'idle');
    await sleep(1100);
    const [args, opts] = asApp('--idle-tx', '1s', '-o', 'json');
    const r = await runJson(args, opts);
    assertCode(args, r, 1);
    assert.equal(r.json.status, 'warning');
    assert.match(r.json.verdict, /^leaked transactions holding 2 slots \(idle in transaction > 1s; oldest: pid \d+ \(app, leaky, idle in transaction for \d+s\)\)$/);
    assert.equal(r.json.used, 3);
    assert.equal(r.json.by_state.idle_in_transaction, 2);
    assert.equal(r.json.by_state.idle, 1);
    const got = r.json.idle_in_transaction.map((s) => ({ pid: s.pid, backend_start: s.backend_start })).sort((a, b) => a.pid - b.pid);
    assert.deepEqual(got, held.map((s) => ({ pid: s.pid, backend_start: s.backend_start })));
    for (const s of r.json.idle_in_transaction) {
      assert.equal(s.app, 'leaky');
      assert.equal(s.user, 'app');
      assert.equal(s.query, 'SELECT 1;');
      assert.ok(s.age_seconds >= 1, JSON.stringify(s));
    }
    assert.ok(r.json.hints.some((h) => h === 'end them: opsctl db terminate --state idle-in-transaction --older-than 1s'));

    const [young, yopts] = asApp('--idle-tx', '1h', '-o', 'json');
    const y = await runJson(young, yopts);
    assertCode(young, y, 0);
    assert.deepEqual(y.json.idle_in_transaction, []);
  });

  test('the text report shows the verdict, the slots and the leaked sessions', async () => {
    const [held] = await leak(1);
    await sleep(1100);
    const [args, opts] = asApp('--idle-tx', '1s');
    const r = await run(args, opts);
    assertCode(args, r, 1);
    assert.match(r.stdout, /^Status: +WARNING +leaked transactions holding 1 slot /m);
    assert.match(r.stdout, /^Slots: +1 used of 9 usable, 8 available \(max_connections 12 - superuser_reserved 3 - reserved 0/m);
    assert.match(r.stdout, new RegExp(`^ *${held.pid} +${held.backend_start} +app +leaky +127\\.0\\.0\\.1 +idle in transaction`, 'm'));
    assert.ok(!r.stdout.includes('\x1b['), 'no colour without a TTY');
  });

  test('pg_dump keeps a long transaction by design: counted, not listed, unless --all', async () => {
    await leak(1, 'pg_dump');
    await sleep(1100);
    const [args, opts] = asApp('--idle-tx', '1s', '-o', 'json');
    const r = await runJson(args, opts);
    assertCode(args, r, 0);
    assert.equal(r.json.used, 1);
    assert.deepEqual(r.json.idle_in_transaction, []);
    const [all, aopts] = asApp('--idle-tx', '1s', '--all', '-o', 'json');
    const a = await runJson(all, aopts);
    assertCode(all, a, 1);
    assert.equal(a.json.idle_in_transaction[0].app, 'pg_dump');
  });

  test('a long pg_sleep query is listed as long-running', async () => {
    pg.hold('sleeper', ['SELECT pg_sleep(60);']);
    const [s] = await pg.waitSessions('sleeper', 'active');
    await sleep(1100);
    const [args, opts] = asApp('--long', '1s', '-o', 'json');
    const r = await runJson(args, opts);
    assertCode(args, r, 0);
    assert.deepEqual(r.json.long_running.map((x) => x.pid), [s.pid]);
    assert.match(r.json.long_running[0].query, /pg_sleep\(60\)/);
    assert.ok(r.json.long_running[0].query_age_seconds >= 1);
  });

  test('Nagios and Prometheus output', async () => {
    await leak(2);
    await sleep(1100);
    const [args, opts] = asApp('--idle-tx', '1s', '-o', 'nagios');
    const r = await run(args, opts);
    assertCode(args, r, 1);
    assert.equal(lines(r.stdout).length, 1);
    // Nine usable slots: warning from 8 used (80%), critical from 9 (95%): "alert above 7 / 8".
    assert.match(r.stdout, /^OPSCTL DB WARNING - leaked transactions holding 2 slots .* \| used=2;7;8 available=7 idle_in_transaction=2 long_running=0 blocked=0\n$/);

    const dir = tempDir('prom');
    const file = path.join(dir, 'pg.prom');
    const [pargs, popts] = asApp('--idle-tx', '1s', '--prom-file', file);
    const p = await run(pargs, popts);
    assertCode(pargs, p, 1);
    const prom = readFileSync(file, 'utf8');
    const target = `127.0.0.1:${pg.port}/appdb as app`;
    assert.ok(prom.includes(`opsctl_pg_connections{state="idle_in_transaction",target="${target}"} 2\n`), prom);
    assert.ok(prom.includes(`opsctl_pg_connections_available{target="${target}"} 7\n`), prom);
    assert.ok(prom.includes(`opsctl_pg_idle_in_transaction_sessions{target="${target}"} 2\n`), prom);
    assert.ok(prom.includes(`opsctl_pg_status{target="${target}"} 1\n`), prom);
    assert.ok(prom.includes('# TYPE opsctl_pg_connections gauge\n'), prom);
  });

  test('the server completely full: a normal role gets exit 2 within --timeout with the diagnosis', async () => {
    // Every one of the nine slots: no inspecting connection while filling (a superuser takes a
    // normal slot while one is free), each client tells itself when its statements ran.
    const clients = [];
    for (let i = 0; i < 5; i++) clients.push(pg.hold('leaky', ['BEGIN;', 'SELECT 1;']));
    for (let i = 0; i < 4; i++) clients.push(pg.hold('idler', ['SELECT 1;']));
    await Promise.all(clients.map((c) => c.ready()));
    await sleep(1100);

    const [args, opts] = asApp('--timeout', '2s', '-o', 'json');
    const r = await runJson(args, opts);
    assertCode(args, r, 2);
    assert.ok(r.ms < 2000, `took ${r.ms} ms with --timeout 2s`);
    assert.equal(r.json.status, 'critical');
    assert.equal(r.json.connected, false);
    assert.match(r.json.verdict, /^slots exhausted: opsctl got no slot \(SQLSTATE 53300: remaining connection slots are reserved for non-replication superuser connections\); a superuser can still connect/);
    assert.match(r.json.error, /too many clients \(SQLSTATE 53300\)/);
    assert.equal(r.json.available, null);

    const [text, topts] = asApp('--timeout', '2s');
    const t = await run(text, topts);
    assertCode(text, t, 2);
    assert.match(t.stdout, /^Status: +CRITICAL +slots exhausted: opsctl got no slot/m);

    const [nagios, nopts] = asApp('--timeout', '2s', '-o', 'nagios');
    const n = await run(nagios, nopts);
    assertCode(nagios, n, 2);
    assert.match(n.stdout, /^OPSCTL DB CRITICAL - slots exhausted: opsctl got no slot /);
    assert.equal(lines(n.stdout).length, 1);

    // A superuser gets a reserved slot and sees why: every usable slot taken, by whom.
    const [sargs, sopts] = asSuper('--idle-tx', '1s', '-o', 'json');
    const s = await runJson(sargs, sopts);
    assertCode(sargs, s, 2);
    assert.equal(s.json.status, 'critical');
    assert.equal(s.json.used, 9);
    assert.ok(s.json.available <= 0, `available ${s.json.available}`);
    assert.equal(s.json.verdict, 'slots exhausted: 9 of 9 usable slots in use; leaked transactions hold 5 of them');
    assert.equal(s.json.idle_in_transaction.length, 5);
  });

  test('PgBouncer with clients waiting: a warning, critical past --pooler-wait', async () => {
    pg.hold('pooled', ['SELECT 1;'], { via: 'bouncer' });
    pg.hold('pooled', ['SELECT 1;'], { via: 'bouncer' });
    await pg.waitSessions('pooled', 'idle', 2);
    pg.hold('queued', ['SELECT 1;'], { via: 'bouncer' });  // no server connection left: it waits
    const env = { PGPASSFILE: pg.passfile };
    await sleep(300);
    const args = ['db', 'pool', '--pg', pg.superUrl, '--pgbouncer', pg.bouncer.console, '-o', 'json'];
    const r = await runJson(args, { env });
    assertCode(args, r, 1);
    const pool = r.json.pgbouncer.pools.find((p) => p.database === 'appdb');
    assert.equal(pool.cl_waiting, 1);
    assert.equal(pool.sv_active, 2);
    assert.equal(pool.sv_idle, 0);
    assert.equal(pool.pool_size, 2);
    assert.equal(pool.pool_mode, 'session');
    assert.equal(r.json.pgbouncer.reachable, true);
    assert.match(r.json.verdict, /^pooler queueing: 1 client waiting for a server \(longest \d+\.\ds\) in appdb\/app; 2 of 2 server connections busy$/);
    assert.ok(!r.json.pgbouncer.pools.some((p) => p.database === 'pgbouncer'), 'the admin console is not a pool');

    await sleep(1000);
    const crit = ['db', 'pool', '--pg', pg.superUrl, '--pgbouncer', pg.bouncer.console, '--pooler-wait', '1s'];
    const c = await run(crit, { env });
    assertCode(crit, c, 2);
    assert.match(c.stdout, /^Status: +CRITICAL +pooler queueing: 1 client waiting/m);
    assert.match(c.stdout, /^appdb +app +session +2 +1 /m);
  });

  test('an unreachable PgBouncer console is critical; the PostgreSQL side is still reported', async () => {
    const port = await refusedPort();
    const args = ['db', 'pool', '--pg', pg.superUrl, '--pgbouncer', `host=127.0.0.1 port=${port} dbname=pgbouncer`,
      '-o', 'json'];
    const r = await runJson(args, { env: { PGPASSFILE: pg.passfile } });
    assertCode(args, r, 2);
    assert.equal(r.json.pgbouncer.reachable, false);
    assert.match(r.json.verdict, new RegExp(`^pgbouncer unreachable: postgres 127\\.0\\.0\\.1:${port}/pgbouncer.*: connection refused`));
    assert.equal(r.json.used, 0);
  });

  test('through PgBouncer, which refuses the options startup parameter, db pool still works', async () => {
    const args = ['db', 'pool', '--pg', pg.bouncer.appUrl, '-o', 'json'];
    const r = await runJson(args, { env: pg.appEnv });
    assertCode(args, r, 0);
    assert.equal(r.json.connected, true);
    assert.equal(r.json.max_connections, 12);
  });

  test("the demo's walk: seed leaks, db pool names them, db terminate frees the slots", async () => {
    const seed = spawn(process.execPath, [path.join(REPO, 'tests', 'lib', 'pg-incident.mjs'), '--pg', pg.appUrl,
      '--leak', '6', '--idle', '1', '--app', 'checkout-api'], { env: { ...process.env, ...pg.appEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    seed.stdout.on('data', (d) => { out += d; });
    const exited = new Promise((r) => seed.once('exit', r));
    try {
      await waitFor(() => out.includes('ready: 7 sessions held'), { what: 'the seed to be ready' });
      await sleep(1100);
      const [pargs, popts] = asApp('--idle-tx', '1s', '-o', 'json');
      const p = await runJson(pargs, popts);
      assertCode(pargs, p, 1);
      assert.equal(p.json.used, 7);
      assert.match(p.json.verdict, /^leaked transactions holding 6 slots .*checkout-api/);
      const targs = ['db', 'terminate', '--state', 'idle-in-transaction', '--older-than', '1s', '--pg', pg.appUrl, '--yes', '-o', 'json'];
      const t = await runJson(targs, { env: pg.appEnv });
      assertCode(targs, t, 0);
      assert.equal(t.json.changed, 6);
      const after = await runJson(pargs, popts);
      assertCode(pargs, after, 0);
      assert.equal(after.json.used, 1);
      assert.equal(after.json.available, 8);
    } finally {
      seed.kill('SIGTERM');
      await exited;
    }
    await waitFor(async () => (await pg.sessions('checkout-api')).length === 0, { what: 'the seed to close its sessions' });
  });
});
