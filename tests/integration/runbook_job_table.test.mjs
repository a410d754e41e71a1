// The built-in `job-table` runbook on a real PostgreSQL job table (seed 004): rows running for more
// than 45 minutes are set back to pending (parameterised SQL, confirmation, verify none remain), or
// to failed with a reason; jobs that keep failing (attempts at the limit) stop the run for escalation
// and nothing is reset.
import assert from 'node:assert/strict';
import path from 'node:path';
import { beforeEach, test } from 'node:test';

import { tempDir } from '../lib/harness.mjs';
import { finding, runbook, step } from '../lib/runbook_helpers.mjs';
import { usePostgres } from '../lib/servers.mjs';

const pg = usePostgres();

// 1 and 2 stuck for hours (1 tried once, 2 tried 5 times), 3 running for 10 minutes, 4 done.
beforeEach(async () => {
  await pg.sql(`DROP TABLE IF EXISTS jobs;
    CREATE TABLE jobs (id bigint PRIMARY KEY, status text NOT NULL, started_at timestamptz, attempts int NOT NULL,
      error text);
    INSERT INTO jobs VALUES (1, 'running', now() - interval '3 hours', 1, NULL),
      (2, 'running', now() - interval '2 hours', 5, NULL), (3, 'running', now() - interval '10 minutes', 1, NULL),
      (4, 'done', now() - interval '5 hours', 1, NULL);
    ALTER TABLE jobs OWNER TO app;`);
});

const table = async () => (await pg.sql("SELECT id, status, coalesce(error, '-') FROM jobs ORDER BY id")).split('\n');
const args = (extra = []) => ['job-table', '--param', 'table=jobs', '--pg', pg.appUrl,
  '--audit-log', path.join(tempDir('audit'), 'a.jsonl'), ...extra];

test('rows running for more than 45 minutes go back to pending; the others are untouched', async () => {
  const before = await table();
  const dry = await runbook([...args(), '--dry-run'], { code: 2, env: pg.appEnv });
  assert.equal(finding(step(dry.json, 'stuck'), 'matched'), 2);
  assert.equal(step(dry.json, 'repeats').status, 'skipped');
  assert.equal(step(dry.json, 'reset').status, 'dry-run');
  assert.deepEqual(await table(), before);

  const r = await runbook([...args(), '--yes'], { code: 0, env: pg.appEnv });
  assert.equal(r.json.outcome, 'verified', r.describe);
  assert.equal(step(r.json, 'reset').changed, 2);
  assert.equal(step(r.json, 'none_left').status, 'passed');
  assert.deepEqual(await table(), ['1|pending|-', '2|pending|-', '3|running|-', '4|done|-']);
});

test('to failed with a reason; a value that looks like SQL is only data', async () => {
  const reason = "worker died'); DROP TABLE jobs; --";
  const r = await runbook([...args(['--param', 'set_status=failed', '--param', 'reason_column=error',
    '--param', `reason=${reason}`]), '--yes'], { code: 0, env: pg.appEnv });
  assert.equal(r.json.outcome, 'verified', r.describe);
  assert.deepEqual(await table(), [`1|failed|${reason}`, `2|failed|${reason}`, '3|running|-', '4|done|-']);
});

test('a job that keeps failing stops the run for escalation and nothing is reset', async () => {
  const before = await table();
  const r = await runbook([...args(['--param', 'attempts_column=attempts']), '--yes'], { code: 2, env: pg.appEnv });
  assert.equal(r.json.outcome, 'unresolved', r.describe);
  const rep = step(r.json, 'repeats');
  assert.equal(rep.status, 'critical');
  assert.equal(finding(rep, 'repeat'), 1);
  assert.deepEqual(finding(rep, 'ids'), ['2']);
  assert.ok(rep.messages.some((m) => /^escalate: 1 stuck jobs were tried 3 times or more \(\["2"\]\)/.test(m.message)),
    JSON.stringify(rep.messages));
  assert.equal(step(r.json, 'reset').status, 'skipped');
  assert.deepEqual(await table(), before);

  const higher = await runbook([...args(['--param', 'attempts_column=attempts', '--param', 'max_attempts=6']), '--yes'],
    { code: 0, env: pg.appEnv });
  assert.equal(higher.json.outcome, 'verified', higher.describe);
  assert.equal(step(higher.json, 'reset').changed, 2);
});
