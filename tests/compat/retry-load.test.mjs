// queue retry / job retry with a live BullMQ Worker: a worker blocked on the marker wakes at once
// (drainDelay 30 s, so a missing marker cannot pass), and 10k jobs retried while a worker drains the
// queue each complete exactly once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Queue, Worker } from 'bullmq';

import { assertCode, run, waitFor } from '../lib/harness.mjs';
import { useRedis } from '../lib/servers.mjs';
import { seedFailed } from './retry-fixture.mjs';

const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const io = redis.io;
const closers = redis.closers;

const opsctl = (prefix, ...args) => run([...args, '--yes', '--redis', redis.url, '--prefix', prefix]);

// A worker whose processor fails while `failing` is set, and records every call.
function startWorker(prefix, queue, opts = {}) {
  const state = { failing: true, calls: new Map(), completed: new Map() };
  const worker = new Worker(queue, async (job) => {
    state.calls.set(job.id, (state.calls.get(job.id) ?? 0) + 1);
    if (state.failing) throw new Error('downstream is down');
    return { ok: true };
  }, { connection: redis.connection, prefix, drainDelay: 30, ...opts });
  worker.on('completed', (job) => state.completed.set(job.id, (state.completed.get(job.id) ?? 0) + 1));
  closers.push(worker);
  return { worker, state };
}

// True once a client of this server sits in BZPOPMIN: the worker is asleep on the marker.
async function workerBlocked() {
  const list = await redis.cli('CLIENT', 'LIST');
  return list.split('\n').some((l) => l.includes('cmd=bzpopmin'));
}

async function failedThenBlocked(queue, state, n) {
  await waitFor(async () => (await queue.getJobCounts('failed')).failed === n, { what: `${n} failed` });
  state.failing = false;
  await waitFor(workerBlocked, { what: 'the worker blocked in BZPOPMIN' });
}

describe('wake-up: a blocked worker (drainDelay 30 s) runs retried jobs at once', () => {
  test('queue retry: 20 jobs completed within 1 s', async () => {
    const P = 'wq';
    const queue = new Queue('q', { connection: redis.connection, prefix: P });
    closers.push(queue);
    const { state } = startWorker(P, 'q', { concurrency: 20 });
    await queue.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'mail', data: { i }, opts: { attempts: 1 } })));
    await failedThenBlocked(queue, state, 20);
    const t0 = Date.now();  // from the start of opsctl, its own run included
    const r = await opsctl(P, 'queue', 'retry', 'q');
    assertCode(['queue', 'retry'], r, 0);
    await waitFor(async () => state.completed.size === 20,
      { timeoutMs: Math.max(0, 1000 - (Date.now() - t0)), intervalMs: 10, what: '20 completed within 1 s' });
    assert.ok(Date.now() - t0 <= 1000 + 10, `took ${Date.now() - t0} ms`);
    assert.deepEqual(await queue.getJobCounts('failed', 'completed', 'waiting'), { failed: 0, completed: 20, waiting: 0 });
  });

  test('job retry: a prioritized and a plain job completed within 1 s', async () => {
    const P = 'wj';
    const queue = new Queue('q', { connection: redis.connection, prefix: P });
    closers.push(queue);
    const { state } = startWorker(P, 'q');
    const a = await queue.add('mail', {}, { attempts: 1, priority: 3 });
    const b = await queue.add('mail', {}, { attempts: 1 });
    await failedThenBlocked(queue, state, 2);
    const t0 = Date.now();
    const r = await opsctl(P, 'job', 'retry', 'q', a.id, b.id);
    assertCode(['job', 'retry'], r, 0);
    await waitFor(async () => state.completed.size === 2,
      { timeoutMs: Math.max(0, 1000 - (Date.now() - t0)), intervalMs: 10, what: '2 completed within 1 s' });
  });
});

describe('concurrency: retry 10k failed jobs while a worker processes the queue', () => {
  test('every job completes exactly once; nothing lost', async () => {
    const P = 'cc';
    const N = 10000;
    await seedFailed(redis, P, 'q', N);
    const queue = new Queue('q', { connection: redis.connection, prefix: P });
    closers.push(queue);
    const { state } = startWorker(P, 'q', { concurrency: 50, drainDelay: 5 });
    state.failing = false;
    await waitFor(workerBlocked, { what: 'the worker blocked in BZPOPMIN' });
    const r = await opsctl(P, 'queue', 'retry', 'q', '-o', 'json');
    assertCode(['queue', 'retry'], r, 0);
    assert.equal(JSON.parse(r.stdout).changed, N);
    await waitFor(async () => state.completed.size === N, { timeoutMs: 30000, what: `${N} completed` });
    await waitFor(async () => (await queue.getJobCounts('active')).active === 0, { what: 'no active job' });
    const twice = [...state.calls].filter(([, n]) => n !== 1);
    assert.deepEqual(twice, [], 'jobs processed more than once');
    assert.ok([...state.completed.values()].every((n) => n === 1), 'a job completed twice');
    assert.equal(state.calls.size, N);
    assert.deepEqual(await queue.getJobCounts('failed', 'completed', 'waiting', 'active', 'prioritized'),
      { failed: 0, completed: N, waiting: 0, active: 0, prioritized: 0 });
  });
});
