// The PostgreSQL runbooks against a real PostgreSQL 15 (max_connections 12, 3 reserved for
// superusers: 9 slots for the application): `pool-exhaustion` with leaked transactions filling every
// normal slot (psql clients idle in a transaction, as a leaking application holds them), and
// `stuck-job` on an SQL job table.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';

import { run, sleep, tempDir } from '../lib/harness.mjs';
import { usePostgres } from '../lib/servers.mjs';
import { finding, runbook, step } from '../lib/runbook_helpers.mjs';
import { auditLines } from '../lib/state_helpers.mjs';

const pg = usePostgres({ maxConnections: 12, superuserReserved: 3 });

// Each client reports when its statements ran (no inspecting connection while the slots fill: a
// superuser takes a normal slot while one is free); only then are the sessions read, for their pids.
async function leak(n) {
  const clients = [];
  for (let i = 0; i < n; i++) clients.push(pg.hold('leaky', ['BEGIN;', 'SELECT 1;']));
  await Promise.all(clients.map((c) => c.ready()));
  return pg.waitSessions('leaky', 'idle in transaction', n);
}

// An application login through its own role: the check the runbook verifies with.
async function appLogin() {
  const r = await run(['health', '--pg', pg.appUrl, '-o', 'json'], { env: pg.appEnv });
  return JSON.parse(r.stdout).checks[0];
}

// opsctl logs in as the superuser (a reserved slot is left for it); the login check uses the
// application's role. Both passwords come from a passfile, as ~/.pgpass would give them.
const pool = (extra = []) => ['pool-exhaustion', '--pg', pg.superUrl, '--param', 'older_than=1s',
  '--param', `login=${pg.appUrl}`, '--param', 'verify_timeout=10s', ...extra];
const env = () => ({ PGPASSFILE: pg.passfile });

describe('pool-exhaustion', () => {
  test('leaked transactions fill every slot: dry run exits 2 and terminates nothing; the real run frees the slots and a normal login works', async () => {
    const held = await leak(9);
    await sleep(1100);
    assert.match((await appLogin()).message, /too many clients|reserved/);

    const dry = await runbook([...pool(), '--dry-run'], { code: 2, env: env() });
    const diag = step(dry.json, 'pool');
    assert.equal(diag.status, 'critical');
    assert.equal(finding(diag, 'available'), 0);
    assert.equal(finding(diag, 'leaked'), 9);
    assert.ok(diag.messages.some((m) => /9 sessions have been idle in a transaction for over 1s/.test(m.message)));
    const term = step(dry.json, 'terminate_leaked');
    assert.equal(term.status, 'dry-run');
    assert.equal(finding(term, 'matched'), 9);
    assert.equal(term.changed, 0);
    assert.equal(step(dry.json, 'terminate_long').status, 'skipped');
    for (const s of held) assert.equal(await pg.alive(s.pid), true, `the dry run ended pid ${s.pid}`);

    const audit = path.join(tempDir('pool'), 'audit.jsonl');
    const r = await runbook([...pool(), '--yes', '--audit-log', audit], { code: 0, env: env() });
    assert.equal(r.json.outcome, 'verified', r.describe);
    assert.equal(step(r.json, 'terminate_leaked').changed, 9);
    assert.ok(finding(step(r.json, 'slots_free'), 'available') > 0);
    assert.equal(step(r.json, 'login').status, 'passed');
    assert.equal(finding(step(r.json, 'login'), 'login_ok'), true);
    for (const s of held) assert.equal(await pg.alive(s.pid), false, `pid ${s.pid} still there`);
    assert.equal((await appLogin()).status, 'ok');
    assert.deepEqual(auditLines(audit).map((l) => [l.action, l.changed, l.result]), [['db.terminate', 9, 'ok']]);
  });

  test('terminate_long also ends long-running queries; young transactions are left alone', async () => {
    await leak(2);
    pg.hold('report', ['SELECT pg_sleep(60);']);
    await pg.waitSessions('report', 'active');
    await sleep(1100);
    const young = pg.hold('young', ['BEGIN;', 'SELECT 1;']);
    const [y] = await pg.waitSessions('young', 'idle in transaction');
    const r = await runbook([...pool(['--param', 'terminate_long=1s']), '--yes',
      '--audit-log', path.join(tempDir('a'), 'a.jsonl')], { code: 0, env: env() });
    assert.equal(step(r.json, 'terminate_leaked').changed, 2);
    assert.equal(step(r.json, 'terminate_long').changed, 1, r.describe);
    assert.equal((await pg.sessions('report')).length, 0);
    assert.equal(await pg.alive(y.pid), true, 'a transaction younger than older_than was terminated');
    await young.close();
  });

  test('opsctl without a slot of its own says so and changes nothing', async () => {
    const held = await leak(9);
    await sleep(1100);
    const r = await runbook(['pool-exhaustion', '--pg', pg.appUrl, '--param', 'older_than=1s', '--yes'],
      { code: 2, env: pg.appEnv });
    const diag = step(r.json, 'pool');
    assert.equal(finding(diag, 'connected'), false);
    assert.match(finding(diag, 'verdict'), /too many clients|reserved/);
    assert.equal(step(r.json, 'terminate_leaked').status, 'skipped');
    assert.equal(r.json.outcome, 'unresolved', r.describe);
    for (const s of held) assert.equal(await pg.alive(s.pid), true);
  });
});

describe('stuck-job on an SQL job table', () => {
  test('rows running for hours are set to failed, verified; a recent one is left alone', async () => {
    await pg.sql(`DROP TABLE IF EXISTS jobs;
      CREATE TABLE jobs (id bigint PRIMARY KEY, status text NOT NULL, started_at timestamptz);
      INSERT INTO jobs VALUES (1, 'running', now() - interval '3 hours'), (2, 'running', now() - interval '2 hours'),
        (3, 'running', now() - interval '10 minutes'), (4, 'done', now() - interval '5 hours');
      ALTER TABLE jobs OWNER TO app;`);
    const args = ['stuck-job', '--param', 'table=jobs', '--pg', pg.appUrl];
    const dry = await runbook([...args, '--dry-run'], { code: 2, env: pg.appEnv });
    assert.equal(finding(step(dry.json, 'stuck'), 'matched'), 2);
    assert.deepEqual(finding(step(dry.json, 'stuck'), 'ids'), ['1', '2']);
    assert.equal(await pg.sql('SELECT string_agg(status, \',\' ORDER BY id) FROM jobs'), 'running,running,running,done');

    const r = await runbook([...args, '--yes', '--audit-log', path.join(tempDir('a'), 'a.jsonl')],
      { code: 0, env: pg.appEnv });
    assert.equal(step(r.json, 'unstick').changed, 2);
    assert.equal(step(r.json, 'none_left').status, 'passed');
    assert.equal(await pg.sql('SELECT string_agg(status, \',\' ORDER BY id) FROM jobs'), 'failed,failed,running,done');
  });
});
