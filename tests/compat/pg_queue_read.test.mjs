// The read verbs of opsctl on BullMQ's PostgreSQL backend (issue 16, part 1), against the real
// BullMQ 6 on a real PostgreSQL: a queue seeded in every state (tests/lib/bullmq-pg.mjs), then
// queue list, queue inspect (counts equal to BullMQ's getJobCounts, the stuck job found, workers
// as BullMQ's getWorkers), job show (the fields of BullMQ's getJob), queue schedulers, and the
// refusals: an unsupported schema version, a missing schema, a bad --queue-backend.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { bullmqPg, seedStates } from '../lib/bullmq-pg.mjs';
import { assertCode, run, runJson } from '../lib/harness.mjs';
import { APP_PASSWORD } from '../lib/pg.mjs';
import { setup, usePostgres } from '../lib/servers.mjs';

let bq;
const pg = usePostgres({ maxConnections: 60, releaseAfterEach: false, teardown: () => bq?.close() });
bq = bullmqPg(pg, { schema: 'bq_read' });
let seeded;
setup(async () => {
  await bq.migrate();
  seeded = await seedStates(bq, 'mail');
});

const env = { PGPASSWORD: APP_PASSWORD };
const base = () => ['--queue-backend', 'postgres', '--pg', pg.appUrl, '--prefix', 'bq_read'];
const opsctl = (...args) => run([...base(), ...args], { env });
const opsctlJson = (...args) => runJson([...base(), '-o', 'json', ...args], { env });

describe('reads', () => {
  test('queue list names the queues of the schema with the counts BullMQ reports', async () => {
    const args = ['queue', 'list'];
    const r = await opsctlJson(...args);
    assert.ok(r.code === 0 || r.code === 3, `exit ${r.code}: ${r.stderr}`);
    assert.equal(r.json.prefix, 'bq_read');
    const names = r.json.queues.map((q) => q.queue);
    assert.deepEqual(names, ['mail']);
    const counts = await seeded.queue.getJobCounts();
    assert.deepEqual(r.json.queues[0].counts, counts);
    assert.equal(r.json.queues[0].paused, false);
  });

  test("queue inspect -o json: counts equal getJobCounts, the stuck job found, workers as getWorkers", async () => {
    const r = await opsctlJson('queue', 'inspect', 'mail');
    assert.ok([0, 1, 2].includes(r.code), `exit ${r.code}: ${r.stderr}`);
    const j = r.json;
    assert.equal(j.queue, 'mail');
    assert.deepEqual(j.counts, await seeded.queue.getJobCounts());
    assert.equal(j.paused, await seeded.queue.isPaused());
    assert.equal(j.workers, await seeded.queue.getWorkersCount());
    assert.equal(j.workers, 1);
    // The stuck job: active, its lock expired; the holder's job is active with a live lock.
    assert.equal(j.stalled.count, 1, JSON.stringify(j));
    assert.equal(j.stalled.checked, 2);
    assert.deepEqual(j.stalled.sample_ids, seeded.ids.stuck);
    // The oldest waiting job: the first added still waiting, next to run.
    assert.equal(j.oldest_waiting.id, seeded.ids.waiting[0]);
    // Failures grouped by reason, as getFailed reports them.
    const failed = await seeded.queue.getFailed();
    const byReason = {};
    for (const f of failed) byReason[f.failedReason] = (byReason[f.failedReason] ?? 0) + 1;
    assert.deepEqual(Object.fromEntries(j.failures.map((f) => [f.reason, f.count])), byReason);
  });

  test('queue inspect --state lists the jobs BullMQ lists in that state', async () => {
    const r = await opsctlJson('queue', 'inspect', 'mail', '--state', 'failed');
    const ids = r.json.jobs.map((x) => x.id).sort();
    assert.deepEqual(ids, (await seeded.queue.getFailed()).map((x) => x.id).sort());
    const d = await opsctlJson('queue', 'inspect', 'mail', '--state', 'delayed');
    assert.deepEqual(d.json.jobs.map((x) => x.id).sort(), (await seeded.queue.getDelayed()).map((x) => x.id).sort());
  });

  test("job show: the fields of BullMQ's getJob", async () => {
    const id = seeded.ids.failed[2];
    const r = await opsctlJson('job', 'show', 'mail', id);
    assert.equal(r.code, 0, r.stderr);
    const job = await seeded.queue.getJob(id);
    const j = r.json;
    assert.equal(j.id, job.id);
    assert.equal(j.name, job.name);
    assert.equal(j.state, await seeded.queue.getJobState(id));
    assert.deepEqual(j.data, job.data);
    assert.deepEqual(j.opts, JSON.parse(JSON.stringify(job.opts)));
    assert.equal(j.attempts_made, job.attemptsMade);
    assert.equal(j.attempts_started, job.attemptsStarted);
    assert.equal(j.failed_reason, job.failedReason);
    assert.deepEqual(j.stacktrace, job.stacktrace);
    assert.equal(j.timestamp, new Date(job.timestamp).toISOString());
    assert.equal(j.processed_on, new Date(job.processedOn).toISOString());
    assert.equal(j.finished_on, new Date(job.finishedOn).toISOString());
    assert.equal(j.worker, job.processedBy);
    assert.deepEqual(j.logs, (await seeded.queue.getJobLogs(id)).logs);
    assert.equal(j.log_count, 1);

    const completed = await opsctlJson('job', 'show', 'mail', seeded.ids.completed[0]);
    assert.deepEqual(completed.json.returnvalue, (await seeded.queue.getJob(seeded.ids.completed[0])).returnvalue);

    const stuck = await opsctlJson('job', 'show', 'mail', seeded.ids.stuck[0]);
    assert.equal(stuck.json.state, 'active');
    assert.equal(stuck.json.lock_ttl_ms, null);
    assert.match(JSON.stringify(stuck.json.problems), /expired lock/);
    const held = await opsctlJson('job', 'show', 'mail', seeded.ids.active[0]);
    assert.ok(held.json.lock_ttl_ms > 1000, JSON.stringify(held.json));

    const parent = await opsctlJson('job', 'show', 'mail', seeded.ids.waitingChildren[0]);
    assert.equal(parent.json.state, 'waiting-children');
    const child = await opsctlJson('job', 'show', 'mail', seeded.ids.children[0]);
    assert.equal(child.json.parent_key, `mail:${seeded.ids.waitingChildren[0]}`);

    const missing = await opsctl('job', 'show', 'mail', 'nope');
    assertCode(['job', 'show'], missing, 2);
    assert.match(missing.stderr, /postgres .*job nope not found/);
  });

  test('queue schedulers lists the Job Scheduler with its next job, as getJobSchedulers', async () => {
    const r = await opsctlJson('queue', 'schedulers', 'mail');
    assert.equal(r.code, 0, r.stderr);
    const [s] = await seeded.queue.getJobSchedulers();
    assert.equal(r.json.total, 1);
    const got = r.json.schedulers[0];
    assert.equal(got.id, s.key);
    assert.equal(got.pattern, s.pattern);
    assert.equal(got.name, s.name);
    assert.equal(got.next_job_id, seeded.ids.scheduler.jobId);
    assert.equal(got.next_job_state, 'delayed');
    assert.equal(got.overdue, false);
    assert.equal(got.broken, false);
  });

  test('a missing queue is not found (2), with the schema named', async () => {
    const r = await opsctl('queue', 'inspect', 'nosuch');
    assertCode(['queue', 'inspect'], r, 2);
    assert.match(r.stderr, /queue 'nosuch' not found in schema 'bq_read'/);
  });

  test('mutations run on this backend: a dry run previews and changes nothing (pg_queue_mutations tests them)', async () => {
    const r = await opsctlJson('queue', 'retry', 'mail', '--dry-run');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.json.matched, 3);
    assert.deepEqual(await seeded.queue.getJobCounts(), seeded.counts);
  });
});

describe('selection and refusals', () => {
  test('--queue-backend with an unknown value is a usage error (64)', async () => {
    const args = ['--queue-backend', 'mongo', 'queue', 'list'];
    const r = await run(args, { env });
    assertCode(args, r, 64);
    assert.match(r.stderr, /unknown queue backend 'mongo'/);
    const e = await run(['queue', 'list'], { env: { ...env, OPSCTL_QUEUE_BACKEND: 'sql' } });
    assertCode(['queue', 'list'], e, 64);
  });

  test('OPSCTL_QUEUE_BACKEND and a context (queue_backend, queue_schema) select the backend', async () => {
    const { tempDir } = await import('../lib/harness.mjs');
    const { writeFileSync } = await import('node:fs');
    const path = await import('node:path');
    const dir = tempDir('pgctx');
    const cfg = path.join(dir, 'config.yaml');
    writeFileSync(cfg, `current-context: q\ncontexts:\n  - name: q\n    pg: "${pg.appUrl}"\n    queue_backend: postgres\n    queue_schema: bq_read\n`);
    const r = await runJson(['--config', cfg, '-o', 'json', 'queue', 'list'], { env });
    assert.deepEqual(r.json.queues.map((q) => q.queue), ['mail']);
    assert.equal(r.json.prefix, 'bq_read');
    const viaEnv = await runJson(['--pg', pg.appUrl, '--prefix', 'bq_read', '-o', 'json', 'queue', 'list'],
      { env: { ...env, OPSCTL_QUEUE_BACKEND: 'postgres' } });
    assert.deepEqual(viaEnv.json.queues.map((q) => q.queue), ['mail']);
  });

  test('a missing schema says so (2)', async () => {
    const args = ['--queue-backend', 'postgres', '--pg', pg.appUrl, 'queue', 'list'];
    const r = await run(args, { env });
    assertCode(args, r, 2);
    assert.match(r.stderr, /schema bullmq does not exist/);
  });

  test('a schema of an unsupported version is refused with the message (3)', async () => {
    const other = bullmqPg(pg, { schema: 'bq_future' });
    try {
      await other.migrate();
      await other.sql("INSERT INTO bq_future.migration (version, name, min_client_version) VALUES (12, '0012_future', 6)");
      const args = ['--queue-backend', 'postgres', '--pg', pg.appUrl, '--prefix', 'bq_future', '-o', 'json', 'queue', 'list'];
      const r = await runJson(args, { env });
      assertCode(args, r, 3);
      assert.match(r.stderr, /BullMQ schema version 12 not supported; supported: 11/);
      assert.equal(r.json.error.kind, 'bad_data');
      // A known version with a foreign migration name is refused too.
      await other.sql('DELETE FROM bq_future.migration WHERE version = 12');
      await other.sql("UPDATE bq_future.migration SET name = '0011_something_else' WHERE version = 11");
      const r2 = await run(args, { env });
      assertCode(args, r2, 3);
      assert.match(r2.stderr, /BullMQ schema version 11 not supported; supported: 11 \(unknown migration 0011_something_else at version 11\)/);
    } finally {
      await other.close();
    }
  });
});
