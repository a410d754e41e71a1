// Shared by the retry suites: twin queues built the same way with the real BullMQ (same ids, same
// finish order), normalised dumps for differential tests, and quick ways to get many failed jobs.
import assert from 'node:assert/strict';

import * as bullmq from 'bullmq';

import { dumpQueue } from '../lib/dump.mjs';
import { sleep, waitFor } from '../lib/harness.mjs';

// A dump whose key names and values no longer name the queue: a flow child's parentKey
// (bull:<q>:<id>), its parent's :dependencies members and the `parent` JSON ("queueKey":"bull:<q>")
// would otherwise differ between twins for no reason.
export async function twinDump(redis, prefix, queue) {
  const text = JSON.stringify(await dumpQueue(redis, prefix, queue));
  const esc = `${prefix}:${queue}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return JSON.parse(text.replace(new RegExp(`${esc}(?=[:"\\\\])`, 'g'), `${prefix}:Q`));
}

// Asserts both twins are deep-equal, and that the ids of `state` are in the same order (the dump
// masks scores that are times and sorts those sets by member, so the finish order is checked here).
export async function assertTwins(redis, prefix, a, b, message) {
  const [da, db] = [await twinDump(redis, prefix, a), await twinDump(redis, prefix, b)];
  assert.deepEqual(da, db, message);
  for (const state of ['failed', 'completed']) {
    assert.deepEqual(await redis.zrange(`${prefix}:${a}:${state}`, 0, -1),
      await redis.zrange(`${prefix}:${b}:${state}`, 0, -1), `${message}: ${state} order`);
  }
}

// Every kind of job retryJobs meets: plain, prioritized, lifo, retried once already (atm 2),
// completed with and without priority, and a flow whose failing child blocks its parent.
export const MIXED = [
  { name: 'mail', data: { n: 1, fail: 'SMTP 421 too many connections' }, opts: { attempts: 1 } },
  { name: 'mail', data: { n: 2 } },
  { name: 'sms', data: { n: 3, fail: 'gateway timeout' }, opts: { attempts: 1, priority: 5 } },
  { name: 'mail', data: { n: 4, fail: 'SMTP 550 rejected' }, opts: { attempts: 2 } },
  { name: 'sms', data: { n: 5, fail: 'gateway timeout' }, opts: { attempts: 1, lifo: true } },
  { name: 'mail', data: { n: 6 }, opts: { priority: 2 } },
  { name: 'mail', data: { n: 7, fail: 'SMTP 421 too many connections' } },
  { name: 'report', data: { n: 8 }, opts: { lifo: true } },
];

// Job specs: {name, data, opts, fail: bool}; a job fails when data.fail is set.
// flow: adds a parent (jobId flow-parent) with a child that completes and one that fails.
// redis: the harness server. Returns the Queue, also pushed at once onto `opened` so the caller can
// close it even when the build fails half-way (an open connection keeps node --test waiting).
// lib: the BullMQ module building it (default `bullmq`; the `bullmq5` module for a BullMQ 5 queue).
export async function buildQueue(redis, prefix, queue, jobs, { flow = false, opened = [], lib = bullmq } = {}) {
  const { connection } = redis;
  const { FlowProducer, Queue } = lib;
  const q = new Queue(queue, { connection, prefix });
  opened.push(q);
  for (const j of jobs) await q.add(j.name, j.data, j.opts);
  if (flow) {
    const fp = new FlowProducer({ connection, prefix });
    try {
      await fp.add({
      name: 'parent', queueName: queue, data: {}, opts: { jobId: 'flow-parent' },
      children: [
        { name: 'child-ok', queueName: queue, data: { n: 1 }, opts: { jobId: 'flow-ok' } },
        { name: 'child-bad', queueName: queue, data: { fail: 'child broke' }, opts: { jobId: 'flow-bad', attempts: 1 } },
      ],
      });
    } finally {
      await fp.close();
    }
  }
  const total = jobs.length + (flow ? 2 : 0);
  await runToEnd(lib, connection, prefix, queue, q, total);
  // What the worker left behind that depends on timing only: its events and its marker.
  await redis.cli('XTRIM', `${prefix}:${queue}:events`, 'MAXLEN', '0');
  await redis.cli('DEL', `${prefix}:${queue}:marker`);
  return q;
}

// One worker, concurrency 1, a few ms per job: the finish order (failed/completed scores) is the
// processing order, the same in every twin.
async function runToEnd({ Worker }, connection, prefix, queue, q, total) {
  const worker = new Worker(queue, async (job) => {
    await sleep(3);
    if (job.data.fail) {
      // A fixed stack: node's async frames vary with timing, and BullMQ stores err.stack.
      const err = new Error(job.data.fail);
      err.stack = `Error: ${job.data.fail}\n    at processor (retry-fixture.mjs)`;
      throw err;
    }
    return { ok: job.data.n ?? null };
  }, { connection, prefix, concurrency: 1, drainDelay: 1 });
  try {
    await waitFor(async () => {
      const c = await q.getJobCounts('failed', 'completed');
      return c.failed + c.completed >= total;
    }, { timeoutMs: 30000, what: `${total} jobs finished in ${queue}` });
  } finally {
    await worker.close();
  }
}

// n failed jobs fast: addBulk (real BullMQ), then one Lua call per 5000 jobs that finishes them as
// moveToFinished would (processedOn, finishedOn, failedReason, stacktrace, atm, ats; ZADD failed by
// finishedOn; RPOP from wait). Events are not written: nothing reads them here.
export async function seedFailed(redis, prefix, queue, n, { reason = 'boom', name = 'job' } = {}) {
  const q = new bullmq.Queue(queue, { connection: redis.connection, prefix });
  for (let i = 0; i < n; i += 1000) {
    const k = Math.min(1000, n - i);
    await q.addBulk(Array.from({ length: k }, (_, j) => ({ name, data: { i: i + j }, opts: { attempts: 1 } })));
  }
  await q.close();
  const client = redis.client();
  const script = `
    local now = tonumber(ARGV[1])
    local moved = 0
    for i = 1, tonumber(ARGV[2]) do
      local id = redis.call('RPOP', KEYS[1])
      if not id then break end
      local jobKey = ARGV[3] .. id
      redis.call('HSET', jobKey, 'processedOn', now, 'finishedOn', now + i, 'failedReason', ARGV[4],
        'stacktrace', '["Error: ' .. ARGV[4] .. '"]', 'atm', 1, 'ats', 1)
      redis.call('ZADD', KEYS[2], now + i, id)
      moved = moved + 1
    end
    return moved`;
  let moved = 0;
  const now = Date.now() - n - 60000;  // one ms apart, all finished a minute ago or more
  for (;;) {
    const m = await client.eval(script, 2, `${prefix}:${queue}:wait`, `${prefix}:${queue}:failed`,
      String(now + moved), 5000, `${prefix}:${queue}:`, reason);
    moved += m;
    if (m < 5000) break;
  }
  assert.equal(moved, n, 'seeded failed jobs');
}
