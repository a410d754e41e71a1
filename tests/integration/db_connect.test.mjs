// Reaching PostgreSQL: wrong password, refused, silent server, missing database; where the conninfo
// comes from (--pg > DATABASE_URL > context > libpq's PG* variables, .pgpass, services); the
// session guards (application_name, lock_timeout, never idle in a transaction); PgBouncer.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertCode, lines, refusedPort, run, runJson, silentServer, sleep, tempDir } from '../lib/harness.mjs';
import { APP_PASSWORD, DB } from '../lib/pg.mjs';
import { usePostgres } from '../lib/servers.mjs';

const pg = usePostgres({ pgbouncer: true, poolSize: 1 });
let silent;
let deadPort;

before(async () => { [silent, deadPort] = await Promise.all([silentServer(), refusedPort()]); });
after(async () => { await silent?.close(); });

const sessions = (...extra) => ['db', 'sessions', '-o', 'json', ...extra];

function oneErrorLine(r) {
  const l = lines(r.stderr);
  assert.equal(l.length, 1, `exactly one stderr line expected, got: ${r.stderr}`);
  assert.match(l[0], /^opsctl: postgres /);
  return l[0];
}

describe('connection failures: exit 2, one line naming the target and the cause', () => {
  test('a wrong password (SQLSTATE 28P01), never printed', async () => {
    const args = sessions('--pg', pg.appUrl);
    const r = await run(args, { env: { PGPASSWORD: 'Wrong-Guess-99' } });
    assertCode(args, r, 2);
    const line = oneErrorLine(r);
    assert.match(line, new RegExp(`^opsctl: postgres 127\\.0\\.0\\.1:${pg.port}/appdb as app: password authentication failed for user "app" \\(SQLSTATE 28P01\\): wrong password`));
    assert.ok(!r.stderr.includes('Wrong-Guess-99') && !r.stdout.includes('Wrong-Guess-99'));
    assert.equal(r.stdout, '');
  });

  test('a wrong password inside the URL is redacted everywhere', async () => {
    const args = sessions('--pg', `postgresql://app:Wrong-In-Url-7@127.0.0.1:${pg.port}/${DB}`);
    const r = await run(args);
    assertCode(args, r, 2);
    assert.ok(!r.stderr.includes('Wrong-In-Url-7'), r.stderr);
    assert.match(r.stderr, /password in --pg is visible/);
    assert.match(r.stderr, /SQLSTATE 28P01/);
  });

  test('no password at all says where to put one', async () => {
    const args = sessions('--pg', pg.appUrl);
    const r = await run(args);
    assertCode(args, r, 2);
    assert.match(oneErrorLine(r), /wants a password and none was found: set PGPASSWORD, ~\/\.pgpass or passfile/);
  });

  test('an unreachable host: connection refused', async () => {
    const args = sessions('--pg', `postgresql://app@127.0.0.1:${deadPort}/${DB}`);
    const r = await run(args, { env: pg.appEnv });
    assertCode(args, r, 2);
    assert.equal(oneErrorLine(r), `opsctl: postgres 127.0.0.1:${deadPort}/appdb as app: connection refused (is PostgreSQL running and listening there?)`);
  });

  test('a silent server: timed out within --timeout', async () => {
    const args = sessions('--pg', `postgresql://app@127.0.0.1:${silent.port}/${DB}`, '--timeout', '1s');
    const r = await run(args, { env: pg.appEnv, timeoutMs: 10000 });
    assertCode(args, r, 2);
    assert.ok(r.ms < 2500, `took ${r.ms} ms with --timeout 1s`);
    assert.match(oneErrorLine(r), /: timed out after 1s connecting \(is the host reachable, and is it PostgreSQL\?\)$/);
  });

  test('-o nagios still prints one CRITICAL line', async () => {
    const args = ['db', 'pool', '--pg', `postgresql://app@127.0.0.1:${deadPort}/${DB}`, '-o', 'nagios'];
    const r = await run(args, { env: pg.appEnv });
    assertCode(args, r, 2);
    assert.match(r.stdout, /^OPSCTL DB CRITICAL - postgres 127\.0\.0\.1:\d+\/appdb as app: connection refused/);
    assert.equal(lines(r.stdout).length, 1);
  });

  test('a database that does not exist (SQLSTATE 3D000)', async () => {
    const args = sessions('--pg', `postgresql://app@127.0.0.1:${pg.port}/nosuchdb`);
    const r = await run(args, { env: pg.appEnv });
    assertCode(args, r, 2);
    assert.match(oneErrorLine(r), /database "nosuchdb" does not exist \(SQLSTATE 3D000\): check the database name/);
  });

  test('a malformed conninfo is a usage error (64)', async () => {
    const args = sessions('--pg', 'host=127.0.0.1 port');
    const r = await run(args);
    assertCode(args, r, 64);
    assert.match(r.stderr, /invalid PostgreSQL conninfo in --pg/);
  });
});

describe('where the conninfo comes from', () => {
  const me = async (env, extra = []) => {
    const args = ['db', 'pool', '-o', 'json', ...extra];
    const r = await runJson(args, { env });
    assertCode(args, r, 0);
    return r.json.target;
  };

  test('DATABASE_URL when no --pg; --pg beats it', async () => {
    assert.equal(await me({ DATABASE_URL: pg.appUrl, ...pg.appEnv }), `127.0.0.1:${pg.port}/appdb as app`);
    const dead = `postgresql://app@127.0.0.1:${deadPort}/${DB}`;
    assert.equal(await me({ DATABASE_URL: dead, ...pg.superEnv }, ['--pg', pg.superUrl]), `127.0.0.1:${pg.port}/appdb as postgres`);
    const args = ['db', 'pool'];
    const r = await run(args, { env: { DATABASE_URL: dead } });
    assertCode(args, r, 2);
    assert.match(r.stderr, new RegExp(`127\\.0\\.0\\.1:${deadPort}`));
  });

  test("the context's pg, below DATABASE_URL", async () => {
    const dir = tempDir('cfg');
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, `current-context: ops\ncontexts:\n  - name: ops\n    pg: "host=127.0.0.1 port=${pg.port} dbname=${DB} user=app"\n`);
    assert.equal(await me({ OPSCTL_CONFIG: config, ...pg.appEnv }), `127.0.0.1:${pg.port}/appdb as app`);
    assert.equal(await me({ OPSCTL_CONFIG: config, DATABASE_URL: pg.superUrl, ...pg.superEnv }),
      `127.0.0.1:${pg.port}/appdb as postgres`);
  });

  test("libpq's own PGHOST/PGPORT/PGUSER/PGDATABASE when nothing else is given", async () => {
    assert.equal(await me({ PGHOST: '127.0.0.1', PGPORT: pg.port, PGUSER: 'app', PGDATABASE: DB, ...pg.appEnv }),
      `127.0.0.1:${pg.port}/appdb as app`);
  });

  test('a passfile (.pgpass) and a service file', async () => {
    assert.equal(await me({ PGPASSFILE: pg.passfile }, ['--pg', pg.appUrl]), `127.0.0.1:${pg.port}/appdb as app`);
    const dir = tempDir('svc');
    const services = path.join(dir, 'pg_service.conf');
    writeFileSync(services, `[ops]\nhost=127.0.0.1\nport=${pg.port}\ndbname=${DB}\nuser=postgres\n`);
    assert.equal(await me({ PGSERVICEFILE: services, PGPASSFILE: pg.passfile }, ['--pg', 'service=ops']),
      `127.0.0.1:${pg.port}/appdb as postgres`);
    assert.equal(await me({ PGSERVICEFILE: services, PGSERVICE: 'ops', PGPASSFILE: pg.passfile }),
      `127.0.0.1:${pg.port}/appdb as postgres`);
  });

  test('a password in the --pg URL works, with one warning that never shows it', async () => {
    const args = ['db', 'pool', '-o', 'json', '--pg', `postgresql://app:${APP_PASSWORD}@127.0.0.1:${pg.port}/${DB}`];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(lines(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /^opsctl: warning: the password in --pg is visible in ps and shell history/);
    assert.ok(!r.stderr.includes(APP_PASSWORD) && !r.stdout.includes(APP_PASSWORD));
  });
});

describe("opsctl's own session", () => {
  test('is named opsctl and never left idle in a transaction', async () => {
    // --pgbouncer at a silent server keeps opsctl running (and its PostgreSQL session open) for --timeout.
    const args = ['db', 'pool', '--pg', pg.superUrl, '--pgbouncer', `host=127.0.0.1 port=${silent.port} dbname=pgbouncer`,
      '--timeout', '3s'];
    const running = run(args, { env: pg.superEnv });
    const [s] = await pg.waitSessions('opsctl', 'idle');
    assert.ok(s.pid > 0);
    await sleep(300);
    assert.equal((await pg.sessions('opsctl'))[0].state, 'idle');
    const r = await running;
    assertCode(args, r, 2);  // the console did not answer
  });

  test('lock_timeout ends a wait behind a lock with words that point at db locks', async () => {
    await pg.sql('CREATE TABLE IF NOT EXISTS guarded (id int, status text, started_at timestamptz); GRANT SELECT ON guarded TO app');
    pg.hold('locker', ['BEGIN;', 'LOCK TABLE guarded IN ACCESS EXCLUSIVE MODE;'], { user: 'postgres' });
    await pg.waitSessions('locker', 'idle in transaction');
    const args = ['job', 'unstick', '--sql', '--table', 'guarded', '--older-than', '1m', '--dry-run',
      '--pg', pg.superUrl, '--timeout', '2s'];
    const r = await run(args, { env: pg.superEnv });
    assertCode(args, r, 2);
    assert.ok(r.ms < 2500, `took ${r.ms} ms`);
    assert.match(r.stderr, /canceling statement due to lock timeout \(SQLSTATE 55P03\): another session holds the lock; see opsctl db locks/);
    assert.deepEqual(await pg.sessions('opsctl'), []);
  });

  test('through PgBouncer (no options): the client deadline cancels the query, nothing keeps waiting', async () => {
    await pg.sql('CREATE TABLE IF NOT EXISTS guarded (id int, status text, started_at timestamptz); GRANT SELECT ON guarded TO app');
    pg.hold('locker', ['BEGIN;', 'LOCK TABLE guarded IN ACCESS EXCLUSIVE MODE;'], { user: 'postgres' });
    await pg.waitSessions('locker', 'idle in transaction');
    const args = ['job', 'unstick', '--sql', '--table', 'guarded', '--older-than', '1m', '--dry-run',
      '--pg', pg.bouncer.appUrl, '--timeout', '1500ms'];
    const r = await run(args, { env: pg.appEnv });
    assertCode(args, r, 2);
    assert.ok(r.ms < 3000, `took ${r.ms} ms`);
    assert.match(r.stderr, /timed out after 1\.5s waiting for a query result, query cancelled/);
    // The cancel went through PgBouncer to the server: no session waits on the lock any more.
    const waiting = async () => Number(await pg.sql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"));
    for (let i = 0; i < 40 && (await waiting()) > 0; i++) await sleep(50);
    assert.equal(await waiting(), 0);
  });

  test('db sessions through PgBouncer works once the startup options are refused', async () => {
    const args = sessions('--pg', pg.bouncer.appUrl);
    const r = await runJson(args, { env: pg.appEnv });
    assertCode(args, r, 0);
    assert.equal(r.json.count, 0);
    assert.equal(r.stderr, '');
  });
});
