// job unstick --sql on a real job table: the seed's incident (jobs left in "running" for more than
// 45 minutes by a worker that died are set to "failed"). Dry-run twin, confirmation, read_only,
// audit, rows another transaction holds (SKIP LOCKED), quoted names and enum statuses, values
// that look like SQL.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, test } from 'node:test';

import { assertCode, run, runJson, tempDir } from '../lib/harness.mjs';
import { usePostgres } from '../lib/servers.mjs';

const pg = usePostgres();

// Ids 1-3 stuck (running for hours), 4 running for 10 minutes, 5 done long ago, 6 failed long ago.
beforeEach(async () => {
  await pg.sql(`DROP TABLE IF EXISTS jobs;
    CREATE TABLE jobs (id bigint PRIMARY KEY, status text NOT NULL, started_at timestamptz, error text);
    INSERT INTO jobs VALUES
      (1, 'running', now() - interval '3 hours', NULL), (2, 'running', now() - interval '2 hours', NULL),
      (3, 'running', now() - interval '50 minutes', NULL), (4, 'running', now() - interval '10 minutes', NULL),
      (5, 'done', now() - interval '5 hours', NULL), (6, 'failed', now() - interval '6 hours', 'boom');
    ALTER TABLE jobs OWNER TO app;`);
});

const table = async () => (await pg.sql('SELECT id, status, coalesce(error, \'-\') FROM jobs ORDER BY id')).split('\n');
const BEFORE = ['1|running|-', '2|running|-', '3|running|-', '4|running|-', '5|done|-', '6|failed|boom'];

const unstick = (...extra) => ['job', 'unstick', '--sql', '--table', 'jobs', '--older-than', '45m', '--pg', pg.appUrl, ...extra];

describe('job unstick --sql', () => {
  test('dry-run twin: shows the stuck rows, changes nothing', async () => {
    const args = unstick('--dry-run', '-o', 'json');
    const r = await runJson(args, { env: pg.appEnv });
    assertCode(args, r, 0);
    assert.equal(r.json.action, 'job.unstick');
    assert.equal(r.json.dry_run, true);
    assert.equal(r.json.matched, 3);
    assert.equal(r.json.changed, 0);
    assert.deepEqual(r.json.ids, ['1', '2', '3']);
    assert.deepEqual(r.json.rows.map((x) => [x.id, x.status]), [['1', 'running'], ['2', 'running'], ['3', 'running']]);
    assert.ok(r.json.rows[0].running_seconds >= 3 * 3600 - 5);
    assert.deepEqual(await table(), BEFORE);

    const text = await run(unstick('--dry-run'), { env: pg.appEnv });
    assertCode(args, text, 0);
    assert.match(text.stdout, /^ID +STATUS +STARTED AT +RUNNING FOR$/m);
    assert.match(text.stdout, /^Dry run: would unstick 3 jobs \(status = running for more than 45m, set to failed\) in postgres 127\.0\.0\.1:\d+\/appdb as app table jobs\.$/m);
  });

  test('without --yes and no TTY: exit 4, unchanged; a read_only context: exit 4, unchanged', async () => {
    const r = await run(unstick(), { env: pg.appEnv });
    assertCode(unstick(), r, 4);
    assert.deepEqual(await table(), BEFORE);
    const config = path.join(tempDir('ro'), 'config.yaml');
    writeFileSync(config, 'current-context: cron\ncontexts:\n  - name: cron\n    read_only: true\n');
    const ro = await run(unstick('--yes'), { env: { ...pg.appEnv, OPSCTL_CONFIG: config } });
    assertCode(unstick(), ro, 4);
    assert.deepEqual(await table(), BEFORE);
  });

  test('--yes sets exactly the stuck jobs to failed, with a reason, and writes one audit line', async () => {
    const audit = path.join(tempDir('audit'), 'audit.jsonl');
    const args = unstick('--reason-column', 'error', '--yes', '-o', 'json', '--audit-log', audit);
    const r = await runJson(args, { env: pg.appEnv });
    assertCode(args, r, 0);
    assert.equal(r.json.dry_run, false);
    assert.equal(r.json.matched, 3);
    assert.equal(r.json.changed, 3);
    assert.deepEqual(r.json.ids.sort(), ['1', '2', '3']);
    assert.deepEqual(r.json.problems, []);
    const reason = 'stuck in running for more than 45m; reset by opsctl';
    assert.deepEqual(await table(), [`1|failed|${reason}`, `2|failed|${reason}`, `3|failed|${reason}`, '4|running|-',
      '5|done|-', '6|failed|boom']);
    const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 1);
    assert.deepEqual([lines[0].action, lines[0].matched, lines[0].changed, lines[0].dry_run, lines[0].result],
      ['job.unstick', 3, 3, false, 'ok']);
    assert.equal(lines[0].target, `postgres 127.0.0.1:${pg.port}/appdb as app table jobs`);

    const again = await runJson(args, { env: pg.appEnv });
    assertCode(args, again, 0);
    assert.equal(again.json.matched, 0);
  });

  test('a row another transaction holds is skipped (SKIP LOCKED), reported, exit 2', async () => {
    pg.hold('worker', ['BEGIN;', 'SELECT id FROM jobs WHERE id = 2 FOR UPDATE;']);
    await pg.waitSessions('worker', 'idle in transaction');
    const args = unstick('--yes', '-o', 'json', '--timeout', '3s');
    const r = await runJson(args, { env: pg.appEnv });
    assertCode(args, r, 2);
    assert.ok(r.ms < 3000, `took ${r.ms} ms: it waited for the lock`);
    assert.equal(r.json.matched, 3);
    assert.equal(r.json.changed, 2);
    assert.match(r.json.problems[0].problem, /^1 stuck row is held by another transaction \(FOR UPDATE SKIP LOCKED\): not changed/);
    assert.deepEqual((await table()).slice(0, 3), ['1|failed|-', '2|running|-', '3|failed|-']);
  });

  test('--limit bounds one run; the rest is left for the next', async () => {
    const args = unstick('--limit', '2', '--yes', '-o', 'json');
    const r = await runJson(args, { env: pg.appEnv });
    assertCode(args, r, 0);
    assert.equal(r.json.changed, 2);
    assert.equal(r.json.left_for_next_run, 1);
    assert.deepEqual((await table()).slice(0, 3), ['1|failed|-', '2|failed|-', '3|running|-']);  // oldest first
  });

  test('quoted mixed-case names, an enum status and custom columns', async () => {
    await pg.sql(`DROP SCHEMA IF EXISTS "Ops" CASCADE; CREATE SCHEMA "Ops" AUTHORIZATION app;
      CREATE TYPE "Ops".job_state AS ENUM ('queued', 'in_progress', 'errored', 'ok');
      CREATE TABLE "Ops"."Job Queue" ("JobId" text PRIMARY KEY, "State" "Ops".job_state, "Began" timestamp);
      INSERT INTO "Ops"."Job Queue" VALUES ('a', 'in_progress', now() - interval '2 hours'),
        ('b', 'in_progress', now()), ('c', 'ok', now() - interval '2 hours');
      ALTER TABLE "Ops"."Job Queue" OWNER TO app;`);
    const args = ['job', 'unstick', '--sql', '--table', '"Ops"."Job Queue"', '--id-column', '"JobId"',
      '--status-column', '"State"', '--running-value', 'in_progress', '--started-column', '"Began"',
      '--set-status', 'errored', '--older-than', '1h', '--pg', pg.appUrl, '--yes', '-o', 'json'];
    const r = await runJson(args, { env: pg.appEnv });
    assertCode(args, r, 0);
    assert.deepEqual(r.json.ids, ['a']);
    assert.equal(await pg.sql('SELECT string_agg("JobId" || \'=\' || "State", \',\' ORDER BY "JobId") FROM "Ops"."Job Queue"'),
      'a=errored,b=in_progress,c=ok');
  });

  test('values are parameters: SQL in a value matches nothing and changes nothing', async () => {
    const args = ['job', 'unstick', '--sql', '--table', 'jobs', '--older-than', '45m', '--running-value',
      "running' OR '1'='1", '--pg', pg.appUrl, '--yes', '-o', 'json'];
    const r = await runJson(args, { env: pg.appEnv });
    assertCode(args, r, 0);
    assert.equal(r.json.matched, 0);
    assert.deepEqual(await table(), BEFORE);
  });

  test('a table that does not exist, a wrong column: exit 2 with the server words; bad flags: 64', async () => {
    let r = await run(['job', 'unstick', '--sql', '--table', 'jobz', '--older-than', '45m', '--pg', pg.appUrl, '--dry-run'],
      { env: pg.appEnv });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /relation "jobz" does not exist \(SQLSTATE 42P01\)/);
    r = await run(unstick('--started-column', 'created', '--dry-run'), { env: pg.appEnv });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /column "created" does not exist \(SQLSTATE 42703\)/);
    r = await run(['job', 'unstick', '--sql', '--table', 'jobs', '--pg', pg.appUrl], { env: pg.appEnv });
    assert.equal(r.code, 64);
    assert.match(r.stderr, /needs --older-than/);
    r = await run(['job', 'unstick', '--table', 'jobs', '--older-than', '1m'], { env: pg.appEnv });
    assert.equal(r.code, 64);
    r = await run(['job', 'unstick', '--sql', '--table', 'a.b.c', '--older-than', '1m'], { env: pg.appEnv });
    assert.equal(r.code, 64);
    assert.match(r.stderr, /--table 'a\.b\.c': expected TABLE or SCHEMA\.TABLE/);
    assert.deepEqual(await table(), BEFORE);
  });
});
