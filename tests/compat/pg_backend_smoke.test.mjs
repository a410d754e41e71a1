// The BullMQ-on-PostgreSQL harness (tests/lib/bullmq-pg.mjs) against the real BullMQ 6 backend:
// BullMQ's migrations make the schema, the seeding puts jobs in every state that getJobCounts then
// reports, twin queues dump equal until Queue.retryJobs runs on one of them (and equal again once
// it runs on the other), and a live Worker is woken by BullMQ's NOTIFY and names itself in
// pg_stat_activity as docs/bullmq-postgres.md says.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { bullmq, bullmqPg, SEEDED_COUNTS, seedStates } from '../lib/bullmq-pg.mjs';
import { waitFor } from '../lib/harness.mjs';
import { setup, usePostgres } from '../lib/servers.mjs';

let bq;
// Every seeded queue holds about ten connections (each BullMQ object has its own pool).
const pg = usePostgres({ maxConnections: 80, releaseAfterEach: false, teardown: () => bq?.close() });
bq = bullmqPg(pg, { schema: 'bq_smoke' });
setup(() => bq.migrate());

const nowMs = async () => Number((await bq.sql('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::bigint AS t'))[0].t);

describe('schema', () => {
  test("BullMQ's migration runner records schema version 11 (6.7.0's latest) in <schema>.migration", async () => {
    assert.equal(bullmq.LATEST_SCHEMA_VERSION, 11);
    assert.equal(await bq.schemaVersion(), 11);
    const rows = await bq.sql('SELECT version, name, min_client_version FROM bq_smoke.migration ORDER BY version');
    assert.deepEqual(rows.map((r) => r.version), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    assert.equal(rows[10].name, '0011_obliterate_producer_lock');
    assert.ok(rows.every((r) => r.min_client_version === 6));
    // A second run is a no-op at the same version.
    assert.equal(await bq.migrate(), 11);
  });
});

describe('seeding', () => {
  test('every state holds the jobs the harness claims, as getJobCounts and getJobState report them', async () => {
    const { queue, ids, release } = await seedStates(bq, 'seeded');
    assert.deepEqual(await queue.getJobCounts(), SEEDED_COUNTS);
    assert.deepEqual(await queue.getJobCounts('paused'), { paused: 0 });

    const expect = {
      completed: ids.completed, failed: ids.failed, active: [...ids.active, ...ids.stuck],
      waiting: ids.waiting, prioritized: ids.prioritized, delayed: ids.delayed,
      'waiting-children': ids.waitingChildren,
    };
    for (const [state, list] of Object.entries(expect)) {
      for (const id of list) assert.equal(await queue.getJobState(id), state, `job ${id}`);
    }

    const failed = await queue.getFailed();
    assert.deepEqual(failed.map((j) => j.failedReason).sort(), ['boom A', 'boom A', 'boom B: smtp down']);
    assert.deepEqual((await queue.getJobLogs(ids.failed[2])).logs, ['smtp: connection timed out']);

    // The stuck job's lock has expired; the holder's is live and renewed by its worker.
    const now = await nowMs();
    const locks = Object.fromEntries((await bq.sql(
      "SELECT id, lock_token, locked_until_ms FROM job WHERE queue = 'seeded' AND state = 'active'"))
      .map((r) => [r.id, r]));
    assert.ok(Number(locks[ids.stuck[0]].locked_until_ms) < now, 'stuck lock expired');
    assert.equal(locks[ids.stuck[0]].lock_token, 'dead-worker-token:1');
    assert.ok(Number(locks[ids.active[0]].locked_until_ms) > now + 10_000, 'holder lock live');

    // The flow parent waits on two pending children; the scheduler's next job is delayed.
    const deps = await bq.sql("SELECT child_id, status FROM job_dependency WHERE parent_queue = 'seeded' ORDER BY child_id");
    assert.deepEqual(deps, [{ child_id: 'flow-child-1', status: 'pending' }, { child_id: 'flow-child-2', status: 'pending' }]);
    const [scheduler] = await queue.getJobSchedulers();
    assert.equal(scheduler.key, 'yearly');
    assert.equal(scheduler.pattern, '0 0 1 1 *');
    assert.equal(ids.scheduler.jobId, `repeat:yearly:${scheduler.next}`);

    // Only the holder counts as a worker: the finisher is closed, the "dead" claimer was a bare backend.
    assert.deepEqual((await queue.getWorkers()).map((w) => w.rawname), ['seeded:w:holder']);
    assert.deepEqual((await bq.workerSessions('seeded')).map((s) => s.application_name), ['seeded:w:holder']);

    // Paused: a meta flag; the priority-0 waiting jobs are counted as paused, prioritized ones not,
    // and getJobs(['paused']) lists nothing (BullMQ's get_range has no paused list to read).
    await queue.pause();
    assert.deepEqual(await queue.getJobCounts('waiting', 'paused', 'prioritized'), { waiting: 0, paused: 5, prioritized: 1 });
    assert.deepEqual(await queue.getJobs(['paused']), []);
    assert.equal((await queue.getWaiting()).length, 5);
    assert.deepEqual(await bq.sql("SELECT value FROM meta WHERE queue = 'seeded' AND field = 'paused'"), [{ value: '1' }]);
    await queue.resume();
    assert.equal(await queue.isPaused(), false);

    // release(): the holder completes its job and stops without taking another.
    await release();
    assert.equal(await queue.getJobState(ids.active[0]), 'completed');
    assert.deepEqual(await queue.getJobCounts('active', 'waiting', 'completed'), { active: 1, waiting: 5, completed: 3 });
    assert.deepEqual(await bq.workerSessions('seeded'), []);
  });
});

describe('differential dumps', () => {
  test('twin queues dump equal; Queue.retryJobs on one changes exactly its failed jobs, then both agree', async () => {
    const a = await seedStates(bq, 'twinA');
    const b = await seedStates(bq, 'twinB');
    const before = await bq.dump({ queue: 'twinB' });
    assert.deepEqual(await bq.dump({ queue: 'twinA' }), before);
    assert.ok(before.job.length === 16 && before.event.length > 40, 'the dump holds the seeded rows');

    await a.queue.retryJobs({ state: 'failed' });
    const after = await bq.dump({ queue: 'twinA' });

    // Expected from BullMQ's retry_jobs: the failed rows back to waiting with their results and
    // attempts cleared, at the end of the queue's order (oldest finished first); no event, no
    // other row touched.
    const expected = structuredClone(before);
    const retried = new Set(a.ids.failed);
    const order = expected.job.slice().sort((x, y) => x.seq - y.seq);
    const reordered = [...order.filter((r) => !retried.has(r.id)), ...a.ids.failed.map((id) => order.find((r) => r.id === id))];
    reordered.forEach((r, i) => { r.seq = i + 1; });
    for (const row of expected.job) {
      if (!retried.has(row.id)) continue;
      Object.assign(row, {
        state: 'waiting', finished_at_ms: null, processed_at_ms: null, return_value: null, failed_reason: null,
        stacktrace: null, attempts_made: 0, attempts_started: 0, lock_token: null, locked_until_ms: null,
      });
    }
    assert.deepEqual(after, expected);
    assert.deepEqual(await a.queue.getJobCounts('failed', 'waiting'), { failed: 0, waiting: 8 });
    // Unlike Job.retry, the retried jobs keep processedBy: BullMQ's retry_jobs does not clear it.
    assert.equal(after.job.find((r) => r.id === a.ids.failed[0]).processed_by, 'finisher');

    await b.queue.retryJobs({ state: 'failed' });
    assert.deepEqual(await bq.dump({ queue: 'twinB' }), after);
  });
});

describe('live worker', () => {
  test("a Worker woken by BullMQ's NOTIFY (bullmq_jobs, payload the queue name) processes a job within a second", async () => {
    const queue = bq.queue('live');
    await queue.waitUntilReady();
    const listener = await bq.client();
    const notes = [];
    listener.on('notification', (m) => notes.push([m.channel, m.payload]));
    await listener.query('LISTEN bullmq_jobs');

    const done = [];
    const worker = bq.worker('live', async (job) => ({ doubled: job.data.n * 2 }));
    worker.on('completed', (job, result) => done.push({ id: job.id, result, at: Date.now() }));
    await worker.waitUntilReady();
    // Idle: its dedicated connection (application_name = the queue name) has run LISTEN.
    await waitFor(async () => (await bq.sql(
      "SELECT 1 FROM pg_stat_activity WHERE application_name = 'live' AND query LIKE '%LISTEN bullmq_jobs%'")).length === 1,
    { what: 'the worker to LISTEN' });

    const start = Date.now();
    const job = await queue.add('double', { n: 21 });
    await waitFor(() => done.length === 1, { timeoutMs: 5000, intervalMs: 10, what: 'the job to complete' });
    assert.deepEqual(done[0].result, { doubled: 42 });
    assert.equal(done[0].id, job.id);
    assert.ok(done[0].at - start < 1000, `processed in ${done[0].at - start} ms`);
    assert.equal(await queue.getJobState(job.id), 'completed');
    await waitFor(() => notes.length > 0, { what: 'the NOTIFY' });
    assert.deepEqual(notes[0], ['bullmq_jobs', 'live']);

    // An unnamed worker is its queue's name in pg_stat_activity; a named one is "<queue>:w:<name>".
    const named = bq.worker('live', async () => null, { name: 'node-7' });
    await named.waitUntilReady();
    assert.deepEqual((await bq.workerSessions('live')).map((s) => s.application_name).sort(), ['live', 'live:w:node-7']);
    assert.equal(await queue.getWorkersCount(), 2);
  });
});
