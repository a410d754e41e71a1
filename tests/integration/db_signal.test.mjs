// db sessions, db cancel, db terminate against real sessions held open by psql clients: filters,
// dry-run twins (nothing signalled), confirmation, read_only contexts, the audit line, the pid-reuse
// guard, cancel refused where it does nothing, permissions.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { assertCode, run, runJson, sleep, tempDir } from '../lib/harness.mjs';
import { SUPER_PASSWORD } from '../lib/pg.mjs';
import { usePostgres } from '../lib/servers.mjs';

const pg = usePostgres();

const su = (args) => [[...args, '--pg', pg.superUrl], { env: pg.superEnv }];

// Three kinds of sessions: idle, idle in a transaction (leaked), running a long query.
async function scene() {
  pg.hold('idler', ['SELECT 1;']);
  pg.hold('leaky', ['BEGIN;', 'SELECT 1;']);
  pg.hold('leaky', ['BEGIN;', 'SELECT 2;']);
  pg.hold('sleeper', ['SELECT pg_sleep(60);']);
  const [idler] = await pg.waitSessions('idler', 'idle');
  const leaky = await pg.waitSessions('leaky', 'idle in transaction', 2);
  const [sleeper] = await pg.waitSessions('sleeper', 'active');
  return { idler, leaky, sleeper };
}

const pids = (rows) => rows.map((r) => r.pid).sort((a, b) => a - b);
const allAlive = async (rows) => (await Promise.all(rows.map((r) => pg.alive(r.pid)))).every(Boolean);

describe('db sessions', () => {
  test('filters by state, age, user, app, db, query and pid', async () => {
    const { idler, leaky, sleeper } = await scene();
    const q = async (...f) => {
      const [args, opts] = su(['db', 'sessions', '-o', 'json', ...f]);
      const r = await runJson(args, opts);
      assertCode(args, r, 0);
      return pids(r.json.sessions);
    };
    assert.deepEqual(await q('--state', 'idle-in-transaction'), pids(leaky));
    assert.deepEqual(await q('--state', 'idle'), [idler.pid]);
    assert.deepEqual(await q('--state', 'active', '--query-like', 'pg_sleep'), [sleeper.pid]);
    assert.deepEqual(await q('--state', 'idle', '--state', 'active'), pids([idler, sleeper]));
    assert.deepEqual(await q('--app', 'sleeper'), [sleeper.pid]);
    assert.deepEqual(await q('--user', 'app'), pids([idler, ...leaky, sleeper]));
    assert.deepEqual(await q('--user', 'nobody'), []);
    assert.deepEqual(await q('--db', 'postgres'), []);
    assert.deepEqual(await q('--pid', String(leaky[1].pid)), [leaky[1].pid]);
    assert.deepEqual(await q('--older-than', '1h'), []);
    await sleep(1100);
    assert.deepEqual(await q('--older-than', '1s', '--state', 'idle-in-transaction'), pids(leaky));
    // opsctl's own session never shows, even with --all.
    assert.deepEqual(await q('--app', 'opsctl', '--all'), []);
  });

  test('rows carry pid and backend_start; text is a table', async () => {
    const { sleeper } = await scene();
    const [args, opts] = su(['db', 'sessions', '--app', 'sleeper', '-o', 'json']);
    const r = await runJson(args, opts);
    assert.equal(r.json.sessions[0].backend_start, sleeper.backend_start);
    assert.equal(r.json.sessions[0].state, 'active');
    assert.equal(r.json.sessions[0].wait_event_type, 'Timeout');
    const [targs, topts] = su(['db', 'sessions', '--app', 'sleeper']);
    const t = await run(targs, topts);
    assertCode(targs, t, 0);
    assert.match(t.stdout, /^ *PID +BACKEND START +USER +APP +CLIENT +STATE +AGE +XACT AGE +WAIT +QUERY$/m);
    assert.match(t.stdout, new RegExp(`^ *${sleeper.pid} +${sleeper.backend_start} +app +sleeper +127\\.0\\.0\\.1 +active `, 'm'));
  });

  test('an unknown state is a usage error with a suggestion', async () => {
    const [args, opts] = su(['db', 'sessions', '--state', 'idle-in-transation']);
    const r = await run(args, opts);
    assertCode(args, r, 64);
    assert.match(r.stderr, /unknown session state 'idle-in-transation' \(did you mean 'idle-in-transaction'\?\)/);
  });
});

describe('db terminate', () => {
  test('dry-run twin: lists exactly the sessions, signals nothing', async () => {
    const { idler, leaky, sleeper } = await scene();
    await sleep(1100);
    const [args, opts] = su(['db', 'terminate', '--state', 'idle-in-transaction', '--older-than', '1s', '--dry-run', '-o', 'json']);
    const r = await runJson(args, opts);
    assertCode(args, r, 0);
    assert.equal(r.json.action, 'db.terminate');
    assert.equal(r.json.dry_run, true);
    assert.equal(r.json.matched, 2);
    assert.equal(r.json.changed, 0);
    assert.deepEqual(r.json.ids.map(Number).sort((a, b) => a - b), pids(leaky));
    assert.deepEqual(r.json.sessions.map((s) => [s.pid, s.backend_start, s.result]).sort(),
      leaky.map((s) => [s.pid, s.backend_start, 'would terminate']).sort());
    assert.ok(await allAlive([idler, ...leaky, sleeper]), 'a dry run signalled something');
    assert.equal((await pg.sessions('leaky')).filter((s) => s.state === 'idle in transaction').length, 2);
  });

  test('without --yes and without a TTY: exit 4, nothing signalled', async () => {
    const { leaky } = await scene();
    const [args, opts] = su(['db', 'terminate', '--state', 'idle-in-transaction']);
    const r = await run(args, opts);
    assertCode(args, r, 4);
    assert.match(r.stderr, /refusing to change 2 sessions without confirmation/);
    assert.ok(await allAlive(leaky));
  });

  test('a read_only context: exit 4, nothing signalled, no connection needed', async () => {
    const { leaky } = await scene();
    const dir = tempDir('ro');
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, `current-context: cron\ncontexts:\n  - name: cron\n    read_only: true\n    pg: "${pg.superUrl}"\n`);
    const args = ['db', 'terminate', '--state', 'idle-in-transaction', '--yes'];
    const r = await run(args, { env: { OPSCTL_CONFIG: config, ...pg.superEnv } });
    assertCode(args, r, 4);
    assert.match(r.stderr, /read_only/);
    assert.ok(await allAlive(leaky));
  });

  test('--yes terminates exactly the chosen sessions; the others stay; one audit line each run', async () => {
    const { idler, leaky, sleeper } = await scene();
    await sleep(1100);
    const audit = path.join(tempDir('audit'), 'audit.jsonl');
    const url = `postgresql://postgres:${SUPER_PASSWORD}@127.0.0.1:${pg.port}/appdb`;
    const base = ['db', 'terminate', '--state', 'idle-in-transaction', '--older-than', '1s', '--pg', url,
      '--audit-log', audit, '-o', 'json'];
    const dry = await runJson([...base, '--dry-run']);
    assertCode(base, dry, 0);
    const r = await runJson([...base, '--yes']);
    assertCode(base, r, 0);
    assert.equal(r.json.dry_run, false);
    assert.equal(r.json.matched, 2);
    assert.equal(r.json.changed, 2);
    assert.deepEqual(r.json.sessions.map((s) => s.result), ['terminated', 'terminated']);
    for (const s of leaky) assert.equal(await pg.alive(s.pid), false, `pid ${s.pid} still there`);
    assert.ok(await allAlive([idler, sleeper]), 'a session that did not match was signalled');

    const entries = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(entries.length, 2);
    assert.deepEqual(entries.map((e) => [e.action, e.dry_run, e.matched, e.changed, e.result]),
      [['db.terminate', true, 2, 0, 'dry-run'], ['db.terminate', false, 2, 2, 'ok']]);
    assert.equal(entries[1].target, `postgres 127.0.0.1:${pg.port}/appdb as postgres`);
    for (const k of ['time', 'user', 'host', 'context', 'command_line']) assert.ok(k in entries[1], k);
    const raw = readFileSync(audit, 'utf8');
    assert.ok(!raw.includes(SUPER_PASSWORD), 'password in the audit log');
    assert.ok(!r.stdout.includes(SUPER_PASSWORD) && !r.stderr.includes(SUPER_PASSWORD));
  });

  test('the pid-reuse guard: a pid whose backend_start differs is never signalled', async () => {
    pg.hold('victim', ['BEGIN;', 'SELECT 1;']);
    const [victim] = await pg.waitSessions('victim', 'idle in transaction');
    // The same pid with yesterday's backend_start: what a pasted pid from an old incident looks like.
    const stale = new Date(Date.parse(victim.backend_start) - 86400000).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
    const [args, opts] = su(['db', 'terminate', '--pid', String(victim.pid), '--backend-start', stale, '--yes', '-o', 'json']);
    const r = await runJson(args, opts);
    assertCode(args, r, 2);
    assert.equal(r.json.matched, 0);
    assert.equal(r.json.changed, 0);
    assert.equal(r.json.results[0].result, 'pid reused: not signalled');
    assert.match(r.json.results[0].reason, new RegExp(`now belongs to a session started at ${victim.backend_start}`));
    assert.equal(await pg.alive(victim.pid), true);

    const [ok, okOpts] = su(['db', 'terminate', '--pid', String(victim.pid), '--backend-start', victim.backend_start, '--yes', '-o', 'json']);
    const done = await runJson(ok, okOpts);
    assertCode(ok, done, 0);
    assert.equal(done.json.changed, 1);
    assert.equal(await pg.alive(victim.pid), false);
  });

  test('a pid no session has: exit 2, "not found"', async () => {
    const [args, opts] = su(['db', 'terminate', '--pid', '999999', '--yes', '-o', 'json']);
    const r = await runJson(args, opts);
    assertCode(args, r, 2);
    assert.equal(r.json.results[0].result, 'not found');
  });

  test('never without a filter, never opsctl itself', async () => {
    const [args, opts] = su(['db', 'terminate', '--yes']);
    const r = await run(args, opts);
    assertCode(args, r, 64);
    assert.match(r.stderr, /refusing to signal every session/);
    const [own, ownOpts] = su(['db', 'terminate', '--app', 'opsctl', '--all', '--yes', '-o', 'json']);
    const o = await runJson(own, ownOpts);
    assertCode(own, o, 0);
    assert.equal(o.json.matched, 0);
  });

  test('a role without the right to signal a superuser session gets a refusal per session, exit 2', async () => {
    pg.hold('su-tx', ['BEGIN;', 'SELECT 1;'], { user: 'postgres' });
    const [s] = await pg.waitSessions('su-tx', 'idle in transaction');
    const args = ['db', 'terminate', '--app', 'su-tx', '--yes', '-o', 'json', '--pg', pg.opsUrl];
    const r = await runJson(args, { env: pg.opsEnv });
    assertCode(args, r, 2);
    assert.equal(r.json.changed, 0);
    assert.equal(r.json.results[0].result, 'refused');
    assert.match(r.json.results[0].reason, /must be a superuser to terminate superuser process \(SQLSTATE 42501\)/);
    assert.equal(await pg.alive(s.pid), true);

    // The app role cannot even see that session's details: it is never chosen.
    const appArgs = ['db', 'terminate', '--app', 'su-tx', '--all', '--yes', '-o', 'json', '--pg', pg.appUrl];
    const a = await runJson(appArgs, { env: pg.appEnv });
    assertCode(appArgs, a, 2);
    assert.equal(a.json.changed, 0);
    assert.match(a.json.results[0].reason, /cannot see the session's backend_start/);
    assert.equal(await pg.alive(s.pid), true);
  });
});

describe('db cancel', () => {
  test('cancels the running query; the session stays', async () => {
    const { sleeper, leaky } = await scene();
    const [dargs, dopts] = su(['db', 'cancel', '--query-like', 'pg_sleep', '--dry-run', '-o', 'json']);
    const d = await runJson(dargs, dopts);
    assertCode(dargs, d, 0);
    assert.equal(d.json.matched, 1);
    assert.equal((await pg.sessions('sleeper'))[0].state, 'active', 'the dry run cancelled the query');

    const [args, opts] = su(['db', 'cancel', '--query-like', 'pg_sleep', '--yes', '-o', 'json']);
    const r = await runJson(args, opts);
    assertCode(args, r, 0);
    assert.equal(r.json.changed, 1);
    assert.equal(r.json.sessions[0].result, 'cancelled');
    await pg.waitSessions('sleeper', 'idle');
    assert.equal(await pg.alive(sleeper.pid), true);
    assert.ok(await allAlive(leaky));
  });

  test('is refused for sessions idle in a transaction, where it does nothing: use terminate', async () => {
    const { leaky } = await scene();
    const [args, opts] = su(['db', 'cancel', '--state', 'idle-in-transaction', '--yes']);
    const r = await run(args, opts);
    assertCode(args, r, 64);
    assert.match(r.stderr, /use db terminate --state idle-in-transaction/);

    const [byApp, appOpts] = su(['db', 'cancel', '--app', 'leaky', '--yes', '-o', 'json']);
    const a = await runJson(byApp, appOpts);
    assertCode(byApp, a, 2);
    assert.equal(a.json.changed, 0);
    assert.deepEqual(a.json.results.map((x) => x.result), ['refused', 'refused']);
    assert.match(a.json.results[0].reason, /use opsctl db terminate/);
    assert.equal((await pg.sessions('leaky')).filter((s) => s.state === 'idle in transaction').length, 2);
    assert.ok(await allAlive(leaky));
  });
});
