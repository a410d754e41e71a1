// queue inspect / queue list against the real BullMQ: counts, paused, workers, failures, oldest waiting.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { FlowProducer, Queue, QueueEvents, Worker } from 'bullmq';

import { assertCode, runJson, startRedis, waitFor } from '../lib/harness.mjs';

const PREFIX = 'cnt';
const Q = 'q';
let redis;
let connection;
let queue;
let flow;
let events;
const workers = [];
let release;  // lets the two blocked processors finish at teardown
const gate = new Promise((r) => { release = r; });
let firstWaitingId;

before(async () => {
  redis = await startRedis({ maxmemoryPolicy: 'noeviction' });
  connection = { host: redis.host, port: redis.port };
  queue = new Queue(Q, { connection, prefix: PREFIX });
  await queue.waitUntilReady();

  // completed and failed (two reasons), with a worker that is then closed.
  await queue.addBulk([
    { name: 'ok', data: {} },
    { name: 'ok', data: {} },
    { name: 'bad', data: { fail: 'boom A' }, opts: { attempts: 1 } },
    { name: 'bad', data: { fail: 'boom A' }, opts: { attempts: 1 } },
    { name: 'bad', data: { fail: 'boom B: smtp down' }, opts: { attempts: 1 } },
  ]);
  const finisher = new Worker(Q, async (job) => {
    if (job.data.fail) throw new Error(job.data.fail);
    return { ok: true };
  }, { connection, prefix: PREFIX, concurrency: 5 });
  await waitFor(async () => {
    const c = await queue.getJobCounts('completed', 'failed');
    return c.completed === 2 && c.failed === 3;
  }, { what: '2 completed, 3 failed' });
  await finisher.close();

  // active: two workers (one unnamed, one named w1), each blocked on one job forever.
  await queue.add('hold', { n: 1 });
  await queue.add('hold', { n: 2 });
  const opts = { connection, prefix: PREFIX, concurrency: 1, lockDuration: 30000 };
  workers.push(new Worker(Q, async () => { await gate; }, opts));
  workers.push(new Worker(Q, async () => { await gate; }, { ...opts, name: 'w1' }));
  await waitFor(async () => (await queue.getJobCounts('active')).active === 2, { what: '2 active' });

  // waiting, prioritized, delayed, and a flow parent in waiting-children (its children wait).
  firstWaitingId = (await queue.add('w', { n: 1 })).id;
  await queue.add('w', { n: 2 });
  await queue.add('w', { n: 3 });
  await queue.add('p', {}, { priority: 5 });
  await queue.add('d', {}, { delay: 3600_000 });
  flow = new FlowProducer({ connection, prefix: PREFIX });
  await flow.add({
    name: 'parent', queueName: Q, data: {},
    children: [{ name: 'child', queueName: Q, data: {} }, { name: 'child', queueName: Q, data: {} }],
  });
  events = new QueueEvents(Q, { connection, prefix: PREFIX });
  await events.waitUntilReady();
  // both workers named, the closed one gone, QueueEvents connected
  await waitFor(async () => (await queue.getWorkers()).length === 2 &&
    (await redis.cli('CLIENT', 'LIST')).includes(':qe'), { what: 'client names' });
});

after(async () => {
  release();
  await Promise.all(workers.map((w) => w.close()));
  await events?.close();
  await flow?.close();
  await queue?.close();
  await redis?.stop();
});

const opsctl = (...args) => runJson([...args, '-o', 'json', '--redis', redis.url, '--prefix', PREFIX]);

async function inspect() {
  const args = ['queue', 'inspect', Q];
  const r = await opsctl(...args);
  assert.ok([0, 1, 2].includes(r.code), `exit ${r.code}: ${r.stderr}`);
  assert.notEqual(r.json.status, 'unknown');
  return r.json;
}

describe('queue inspect vs BullMQ', () => {
  test('every state is populated (precondition)', async () => {
    const c = await queue.getJobCounts();
    for (const [state, n] of Object.entries(c)) assert.ok(n > 0, `no ${state} job: ${JSON.stringify(c)}`);
  });

  test('counts equal Queue.getJobCounts(), same keys', async () => {
    const j = await inspect();
    assert.deepEqual(j.counts, await queue.getJobCounts());
    assert.deepEqual(Object.keys(j.counts).sort(), Object.keys(await queue.getJobCounts()).sort());
    assert.equal(j.layout, 'bullmq');
    assert.equal(j.version, 'bullmq:6.7.0');
  });

  test('the status follows the counts and the default thresholds', async () => {
    const c = await queue.getJobCounts();
    const r = await opsctl('queue', 'inspect', Q, '--warn-wait', String(c.waiting + 1), '--crit-wait', '1000',
      '--warn-failed', String(c.failed - 1), '--crit-failed', '1000');
    assertCode(['queue', 'inspect'], r, 1);
    assert.equal(r.json.status, 'warning');
  });

  test('workers equal Queue.getWorkers(): unnamed + named, QueueEvents excluded', async () => {
    const expected = await queue.getWorkers();
    assert.ok(expected.length >= 2, 'BullMQ sees both workers');
    const j = await inspect();
    assert.equal(j.workers, expected.length);
    assert.deepEqual([...j.worker_names].sort(), expected.map((w) => w.rawname).sort());
    assert.ok(j.worker_names.some((n) => n.endsWith(':w:w1')), JSON.stringify(j.worker_names));
    assert.ok(!j.worker_names.some((n) => n.endsWith(':qe')), 'QueueEvents counted as a worker');
  });

  test('Python/Elixir-style plain worker names are counted too (reference section 8)', async () => {
    const py = redis.client();
    await py.client('SETNAME', `${PREFIX}:${Q}:w:py1`);
    try {
      const expected = await queue.getWorkers();
      const j = await inspect();
      assert.equal(j.workers, expected.length + 1);
      assert.ok(j.worker_names.includes(`${PREFIX}:${Q}:w:py1`), JSON.stringify(j.worker_names));
    } finally {
      py.disconnect();
    }
  });

  test('failures are grouped by failedReason', async () => {
    const failed = await queue.getFailed();
    const expected = new Map();
    for (const job of failed) {
      const g = expected.get(job.failedReason) ?? [];
      g.push(job.id);
      expected.set(job.failedReason, g);
    }
    const j = await inspect();
    assert.equal(j.failures.length, expected.size);
    for (const g of j.failures) {
      assert.ok(expected.has(g.reason), `unknown reason ${g.reason}`);
      assert.equal(g.count, expected.get(g.reason).length, g.reason);
      assert.ok(g.sample_ids.length >= 1);
      for (const id of g.sample_ids) assert.ok(expected.get(g.reason).includes(id), `${id} not in ${g.reason}`);
    }
  });

  test('oldest_waiting is the first waiting job added', async () => {
    const j = await inspect();
    assert.equal(j.oldest_waiting.id, firstWaitingId);
    const job = await queue.getJob(firstWaitingId);
    const ts = j.oldest_waiting.timestamp;
    assert.equal(typeof ts === 'string' ? Date.parse(ts) : ts, job.timestamp);
    assert.ok(j.oldest_waiting.age_ms >= 0 && j.oldest_waiting.age_ms < 60000);
  });

  test('--state lists the jobs BullMQ lists, with their states', async () => {
    for (const state of ['waiting', 'prioritized', 'delayed', 'active', 'failed', 'completed', 'waiting-children']) {
      const r = await opsctl('queue', 'inspect', Q, '--state', state, '--limit', '100');
      const ids = r.json.jobs.map((jb) => jb.id).sort();
      const expected = (await queue.getJobs([state === 'waiting' ? 'wait' : state], 0, -1)).map((jb) => jb.id).sort();
      assert.deepEqual(ids, expected, state);
      for (const jb of r.json.jobs) assert.equal(jb.state, state);
    }
  });

  test('paused equals Queue.isPaused(), before and after pause()', async () => {
    assert.equal((await inspect()).paused, await queue.isPaused());
    assert.equal(await queue.isPaused(), false);
    await queue.pause();
    try {
      const j = await inspect();
      assert.equal(await queue.isPaused(), true);
      assert.equal(j.paused, true);
      assert.deepEqual(j.counts, await queue.getJobCounts(), 'v6 pause keeps jobs in wait');
      assert.ok(!('paused' in j.counts), 'no legacy paused list in v6');
    } finally {
      await queue.resume();
    }
    assert.equal((await inspect()).paused, false);
  });
});

describe('queue list vs BullMQ', () => {
  test('lists the queue with the same counts', async () => {
    const r = await opsctl('queue', 'list');
    assertCode(['queue', 'list'], r, 0);
    assert.equal(r.json.prefix, PREFIX);
    assert.deepEqual(r.json.queues.map((q) => q.queue), [Q]);
    const [entry] = r.json.queues;
    assert.deepEqual(entry.counts, await queue.getJobCounts());
    assert.equal(entry.paused, await queue.isPaused());
    assert.equal(entry.layout, 'bullmq');
  });
});
