// A dry run never fails for want of a writable audit log: it warns once on stderr and goes on with
// its usual output and exit code, changing nothing; a real mutation whose line cannot be written is
// refused (exit 4) before it changes anything. The log is made unwritable by a path under a regular
// FILE, so mkdir fails with ENOTDIR even for root (chmod does not stop root).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { seedCompleted, seedDelayed, seedFailed, seedStuck, seedWaiting } from '../lib/fixtures.mjs';
import { assertCode, describeRun, run, seedMeta, tempDir } from '../lib/harness.mjs';
import { setup, usePostgres, useRedis } from '../lib/servers.mjs';
import { dump } from '../lib/state_helpers.mjs';

const NOW = Date.now();
const WARNING = /^opsctl: warning: cannot write the audit log .+: not a directory; the dry run goes on$/;

// A regular file; paths under it cannot be created.
function notADirectory() {
  const file = path.join(tempDir('audit-file'), 'file-not-dir');
  writeFileSync(file, 'a file, not a directory\n');
  return file;
}

// Two ways to point the audit log into a non-directory: the default path (HOME and XDG_STATE_HOME
// of a service user without a usable home), and --audit-log.
function unwritable() {
  const file = notADirectory();
  return [
    { name: 'default path under a non-directory HOME/XDG_STATE_HOME', env: { HOME: file, XDG_STATE_HOME: file }, extra: [] },
    { name: '--audit-log into a non-directory', env: {}, extra: ['--audit-log', path.join(file, 'audit.jsonl')] },
  ];
}

const warnings = (stderr) => stderr.split('\n').filter((l) => l.includes('cannot write the audit log'));

// The dry run: its usual code and stdout (as with a writable log), exactly one warning line.
async function assertDryRunGoesOn(args, where, opts = {}) {
  const okLog = path.join(tempDir('audit-ok'), 'audit.jsonl');
  const usual = await run([...args, '--audit-log', okLog], opts);
  const r = await run([...args, ...where.extra], { ...opts, env: { ...opts.env, ...where.env } });
  assertCode(args, r, usual.code);
  assert.ok(r.code !== 4, `a dry run was refused: ${describeRun(args, r)}`);
  const w = warnings(r.stderr);
  assert.equal(w.length, 1, `one warning expected: ${describeRun(args, r)}`);
  assert.match(w[0], WARNING);
  assert.equal(warnings(usual.stderr).length, 0, 'a writable log gives no warning');
  return { r, usual };
}

// The real run: exit 4, naming the audit log.
async function assertRealRunRefused(args, where, opts = {}) {
  const r = await run([...args, ...where.extra], { ...opts, env: { ...opts.env, ...where.env } });
  assertCode(args, r, 4);
  assert.match(r.stderr, /audit log .*not a directory/, describeRun(args, r));
  return r;
}

describe('Redis mutations with an unwritable audit log', () => {
  const redis = useRedis();
  const P = 'aud';

  setup(async () => {
    await seedMeta(redis, 'q', P);
    const job = (extra) => ({ name: 'send', data: '{"to":"a@example.com"}', opts: '{"attempts":3}', timestamp: NOW - 60000, ...extra });
    // 1, 2 failed; 3 completed; 4 delayed; 5 active with no lock (stuck); 6 waiting.
    await seedFailed(redis, 'q', 1, job({ failedReason: 'boom', finishedOn: NOW - 1000, processedOn: NOW - 2000, atm: 1 }), P);
    await seedFailed(redis, 'q', 2, job({ failedReason: 'boom', finishedOn: NOW - 900, processedOn: NOW - 1900, atm: 1 }), P);
    await seedCompleted(redis, 'q', 3, job({ returnvalue: '1', finishedOn: NOW - 800, processedOn: NOW - 1800, atm: 1 }), P);
    await seedDelayed(redis, 'q', 4, job({ delay: 3600000, opts: '{"delay":3600000}' }), NOW + 3600000, P);
    await seedStuck(redis, 'q', 5, job({ processedOn: NOW - 600000, ats: 1 }), P);
    await seedWaiting(redis, 'q', 6, job({}), P);
  });

  const conn = () => redis.args(P);
  const verbs = () => [
    ['queue', 'retry', 'q'],
    ['queue', 'clear', 'q', '--state', 'completed'],
    ['queue', 'pause', 'q'],
    ['queue', 'resume', 'q'],
    ['queue', 'promote', 'q'],
    ['job', 'retry', 'q', '1'],
    ['job', 'remove', 'q', '2'],
    ['job', 'promote', 'q', '4'],
    ['job', 'unstick', 'q'],
  ];

  for (const where of unwritable()) {
    describe(where.name, () => {
      for (const verb of verbs()) {
        test(`${verb.slice(0, 2).join(' ')}: the dry run warns and goes on; the real run is refused; nothing changes`, async () => {
          const before = await dump(redis, P, 'q');
          for (const o of [[], ['-o', 'json']]) {
            const { r } = await assertDryRunGoesOn([...verb, ...conn(), '--dry-run', ...o], where);
            if (o.length) {
              const doc = JSON.parse(r.stdout);
              assert.equal(doc.dry_run, true);
              assert.equal(doc.changed, 0);
            }
          }
          assert.deepEqual(await dump(redis, P, 'q'), before, 'a dry run changed the queue');
          await assertRealRunRefused([...verb, ...conn(), '--yes'], where);
          assert.deepEqual(await dump(redis, P, 'q'), before, 'a refused run changed the queue');
        });
      }

      test('runbook run --dry-run: one warning for the whole run, the usual report and code', async () => {
        const before = await dump(redis, P, 'q');
        const args = ['runbook', 'run', 'backlog', '--param', 'queue=q', '--param', 'retry_failed=true', ...conn(),
          '--dry-run', '-o', 'json'];
        const { r, usual } = await assertDryRunGoesOn(args, where);
        const doc = JSON.parse(r.stdout);
        const steps = (d) => d.steps.map((s) => [s.id, s.status]);
        assert.deepEqual(steps(doc), steps(JSON.parse(usual.stdout)));
        assert.ok(doc.steps.some((s) => s.kind === 'fix' && s.status !== 'skipped'), `no fix step previewed: ${r.stdout}`);
        assert.deepEqual(await dump(redis, P, 'q'), before, 'a dry run changed the queue');
      });
    });
  }
});

describe('PostgreSQL mutations with an unwritable audit log', () => {
  const pg = usePostgres();

  setup(async () => {
    await pg.sql(`CREATE TABLE jobs (id bigint PRIMARY KEY, status text NOT NULL, started_at timestamptz, error text);
      INSERT INTO jobs VALUES (1, 'running', now() - interval '3 hours', NULL), (2, 'done', now() - interval '5 hours', NULL);
      ALTER TABLE jobs OWNER TO app;`);
  });

  const table = () => pg.sql('SELECT id, status FROM jobs ORDER BY id');

  for (const where of unwritable()) {
    test(`job unstick --sql (${where.name})`, async () => {
      const before = await table();
      const args = ['job', 'unstick', '--sql', '--table', 'jobs', '--older-than', '45m', '--pg', pg.appUrl];
      const opts = { env: pg.appEnv };
      const { r } = await assertDryRunGoesOn([...args, '--dry-run', '-o', 'json'], where, opts);
      assert.equal(JSON.parse(r.stdout).matched, 1);
      await assertRealRunRefused([...args, '--yes'], where, opts);
      assert.equal(await table(), before, 'the table changed');
    });

    for (const verb of ['cancel', 'terminate']) {
      test(`db ${verb} (${where.name})`, async () => {
        pg.hold('sleeper', ['SELECT pg_sleep(60);']);
        const [sleeper] = await pg.waitSessions('sleeper', 'active');
        const args = ['db', verb, '--query-like', 'pg_sleep', '--pg', pg.superUrl];
        const opts = { env: pg.superEnv };
        const { r } = await assertDryRunGoesOn([...args, '--dry-run', '-o', 'json'], where, opts);
        assert.equal(JSON.parse(r.stdout).matched, 1);
        await assertRealRunRefused([...args, '--yes'], where, opts);
        assert.ok(await pg.alive(sleeper.pid), 'the session was signalled');
        assert.equal((await pg.sessions('sleeper'))[0].state, 'active', 'the query was cancelled');
      });
    }
  }
});
