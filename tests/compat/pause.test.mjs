// opsctl queue pause|resume against BullMQ 6.7.0 and 5.81.3: differential dumps, workers waking up,
// the BullMQ 5 RENAME hazard, batched merge of a legacy paused list, safety protocol, audit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Queue, Worker } from 'bullmq';
import { Queue as Queue5, Worker as Worker5 } from 'bullmq5';

import { startRedis, tempDir, sleep, waitFor, run, assertCode } from '../lib/harness.mjs';
import { useRedis } from '../lib/servers.mjs';
import { assertSafety, assertSameDump, auditLines, AUDIT_FIELDS, dump, mutate, rawList } from '../lib/state_helpers.mjs';

const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const db = redis.io;  // ioredis client for raw reads
const closers = redis.closers;

const connection = () => ({ host: redis.host, port: redis.port });

// Twin queues a and b under one prefix, filled the same way. Q is Queue (6.7.0) or Queue5.
async function twins(prefix, Q = Queue, fill = async () => {}) {
  const qs = [];
  for (const name of ['a', 'b']) {
    const q = new Q(name, { connection: connection(), prefix });
    closers.push(q);
    await q.waitUntilReady();
    await fill(q);
    qs.push(q);
  }
  return qs;
}

// Twins must not differ by the clock: delayed scores and `delayed` events hold timestamp + delay.
const T0 = Date.now();
async function standardJobs(q) {
  await q.addBulk([1, 2, 3].map((n) => ({ name: 'w', data: { n }, opts: { timestamp: T0 } })));
  await q.add('p', { n: 4 }, { priority: 3, timestamp: T0 });
  await q.add('d', { n: 5 }, { delay: 3600_000, timestamp: T0 });
}

const events = async (prefix, name) => (await db.xrange(`${prefix}:${name}:events`, '-', '+')).map(([, f]) => f[1]);

describe('BullMQ 6 queues', () => {
  test('pause: same dump as Queue.pause(); isPaused(); paused event', async () => {
    const P = 'p6pause';
    const [a, b] = await twins(P, Queue, standardJobs);
    const out = await mutate(redis, P, ['queue', 'pause', 'a']);
    await b.pause();
    assert.equal(out.action, 'queue.pause');
    assert.equal(out.matched, 1);
    assert.equal(out.changed, 1);
    assert.equal(out.layout, 'bullmq6');
    assert.equal(out.jobs, 4);
    assert.equal(await a.isPaused(), true);
    assertSameDump(await dump(redis, P, "a", db), await dump(redis, P, "b", db));
    assert.equal((await events(P, 'a')).at(-1), 'paused');
    // Already paused: nothing matched, nothing written.
    const again = await mutate(redis, P, ['queue', 'pause', 'a']);
    assert.equal(again.matched, 0);
    assert.equal(again.changed, 0);
  });

  test('resume: same dump as Queue.resume(); isPaused() false; resumed event', async () => {
    const P = 'p6resume';
    const [a, b] = await twins(P, Queue, async (q) => { await standardJobs(q); await q.pause(); });
    const out = await mutate(redis, P, ['queue', 'resume', 'a']);
    await b.resume();
    assert.equal(out.matched, 1);
    assert.equal(out.changed, 1);
    assert.equal(out.paused_before, true);
    assert.equal(await a.isPaused(), false);
    assertSameDump(await dump(redis, P, "a", db), await dump(redis, P, "b", db));
    assert.equal((await events(P, 'a')).at(-1), 'resumed');
  });

  test('resume with only delayed jobs: the delayed marker, as BullMQ', async () => {
    const P = 'p6delay';
    const [, b] = await twins(P, Queue, async (q) => { await q.add('d', {}, { delay: 60_000, timestamp: T0 }); await q.pause(); });
    await mutate(redis, P, ['queue', 'resume', 'a']);
    await b.resume();
    const da = await dump(redis, P, 'a', db);
    assertSameDump(da, await dump(redis, P, "b", db));
    assert.equal(da.marker.value[0][0], '1');
  });

  test('resume merges a legacy paused list of 15000 ids into a non-empty wait in 3 calls, as BullMQ 6', async () => {
    const P = 'p6legacy';
    const [, b] = await twins(P, Queue, async (q) => {
      await standardJobs(q);
      await q.pause();
      await rawList(db, `${P}:${q.name}:paused`, 100, 15099);
    });
    const out = await mutate(redis, P, ['queue', 'resume', 'a']);
    await b.resume();
    assert.equal(out.layout, 'bullmq6');
    assert.equal(out.jobs_moved, 15000);
    assert.equal(out.calls, 3);
    const da = await dump(redis, P, 'a', db);
    assertSameDump(da, await dump(redis, P, "b", db));
    assert.equal(da.wait.value.length, 15003);
    assert.equal(da.wait.value.at(-1), '100', 'the oldest paused id runs first');
    assert.ok(!('paused' in da));
  });

  test('a Worker blocked for 30 s takes the jobs within 500 ms of opsctl resume; none while paused', async () => {
    const P = 'p6wake';
    const q = new Queue('w', { connection: connection(), prefix: P });
    closers.push(q);
    await q.waitUntilReady();
    await mutate(redis, P, ['queue', 'pause', 'w']);
    const done = [];
    const worker = new Worker('w', async (job) => { done.push(job.id); }, { connection: connection(), prefix: P, drainDelay: 30 });
    closers.push(worker);
    await worker.waitUntilReady();
    await q.addBulk([1, 2, 3, 4, 5].map((n) => ({ name: 'j', data: { n } })));
    await sleep(1000);
    assert.deepEqual(done, [], 'a job ran while paused');
    const t0 = Date.now();
    await mutate(redis, P, ['queue', 'resume', 'w']);
    await waitFor(() => done.length === 5, { timeoutMs: 500, intervalMs: 10, what: '5 jobs after resume' });
    assert.ok(Date.now() - t0 < 1000);
  });

  test('dry run, no --yes, read_only context: nothing changes', async () => {
    const P = 'p6safe';
    await twins(P, Queue, standardJobs);
    const dry = await assertSafety(redis, P, 'a', ['queue', 'pause', 'a'], db);
    assert.equal(dry.layout, 'bullmq6');
    const q = new Queue('a', { connection: connection(), prefix: P });
    closers.push(q);
    await q.pause();
    await assertSafety(redis, P, 'a', ['queue', 'resume', 'a'], db);
  });

  test('a wait key of the wrong type: refused (exit 3), nothing changed; unknown queue: exit 2', async () => {
    const P = 'p6bad';
    await twins(P, Queue, async () => {});
    await db.set(`${P}:a:wait`, 'not a list');
    const before = await dump(redis, P, 'a', db);
    const args = ['queue', 'pause', 'a', '--redis', redis.url, '--prefix', P, '--yes'];
    const r = await run(args);
    assertCode(args, r, 3);
    assert.match(r.stderr, /wait is a string/);
    assert.deepEqual(await dump(redis, P, 'a', db), before);
    const r2 = await run(['queue', 'resume', 'nosuch', '--redis', redis.url, '--prefix', P, '--yes']);
    assertCode(['queue', 'resume', 'nosuch'], r2, 2);
    assert.match(r2.stderr, /not found/);
  });
});

describe('BullMQ 5 queues', () => {
  test('pause: same dump as BullMQ 5 Queue.pause() (wait renamed to paused)', async () => {
    const P = 'p5pause';
    const [a, b] = await twins(P, Queue5, standardJobs);
    const out = await mutate(redis, P, ['queue', 'pause', 'a']);
    await b.pause();
    assert.equal(out.layout, 'bullmq5');
    assert.match(out.layout_reason, /bullmq:5\.81\.3/);
    assert.equal(await a.isPaused(), true);
    const da = await dump(redis, P, 'a', db);
    assertSameDump(da, await dump(redis, P, "b", db));
    assert.equal(da.paused.value.length, 3);
    assert.ok(!('wait' in da));
  });

  test('resume: same dump as BullMQ 5 Queue.resume()', async () => {
    const P = 'p5resume';
    const [a, b] = await twins(P, Queue5, async (q) => { await standardJobs(q); await q.pause(); });
    const out = await mutate(redis, P, ['queue', 'resume', 'a']);
    await b.resume();
    assert.equal(out.layout, 'bullmq5');
    assert.equal(out.jobs_moved, 3);
    assert.equal(await a.isPaused(), false);
    assertSameDump(await dump(redis, P, "a", db), await dump(redis, P, "b", db));
  });

  test('resume keeps ids pushed to wait during the pause, which BullMQ 5 overwrites', async () => {
    const P = 'p5hazard';
    const [a, b] = await twins(P, Queue5, async (q) => { await standardJobs(q); await q.pause(); });
    // A BullMQ 6 producer deployed during the pause adds to wait (it does not rename lists).
    const added = [];
    for (const name of ['a', 'b']) {
      const q6 = new Queue(name, { connection: connection(), prefix: P, skipMetasUpdate: true });
      closers.push(q6);
      added.push((await q6.add('late', { late: true })).id);
    }
    assert.equal(added[0], added[1]);
    const out = await mutate(redis, P, ['queue', 'resume', 'a']);
    await b.resume();
    assert.equal(out.jobs_moved, 3);
    const da = await dump(redis, P, 'a', db);
    const db_ = await dump(redis, P, 'b', db);
    // The one inherent difference: BullMQ 5's RENAME dropped the late id from wait (its hash is an
    // orphan there); opsctl kept it, behind the jobs that were paused.
    assert.deepEqual(da.wait.value, [added[0], ...db_.wait.value]);
    assert.ok(!db_.wait.value.includes(added[0]), 'BullMQ 5 no longer loses the id: update this test');
    assert.deepEqual({ ...da, wait: null }, { ...db_, wait: null });
    // A BullMQ 5 worker runs all four, the late one included.
    const done = [];
    const worker = new Worker5('a', async (job) => { done.push(job.id); }, { connection: connection(), prefix: P, drainDelay: 30 });
    closers.push(worker);
    await waitFor(() => done.length === 5, { timeoutMs: 3000, what: '3 waiting + prioritized + late job' });
    assert.ok(done.includes(added[0]));
    await a.close();
  });

  test('pause merges a stray paused list instead of overwriting it', async () => {
    const P = 'p5stray';
    const [a] = await twins(P, Queue5, standardJobs);
    await db.lpush(`${P}:a:paused`, 'stray');
    await mutate(redis, P, ['queue', 'pause', 'a']);
    const da = await dump(redis, P, 'a', db);
    // wait [3, 2, 1] (1 at the head) goes in front of the stray id; nothing is overwritten.
    assert.deepEqual(da.paused.value, ['stray', '3', '2', '1']);
    assert.equal(await a.isPaused(), true);
  });

  test('a BullMQ 5 Worker blocked for 30 s takes the jobs within 500 ms of opsctl resume', async () => {
    const P = 'p5wake';
    const q = new Queue5('w', { connection: connection(), prefix: P });
    closers.push(q);
    await q.waitUntilReady();
    await mutate(redis, P, ['queue', 'pause', 'w']);
    const done = [];
    const worker = new Worker5('w', async (job) => { done.push(job.id); }, { connection: connection(), prefix: P, drainDelay: 30 });
    closers.push(worker);
    await worker.waitUntilReady();
    await q.addBulk([1, 2, 3].map((n) => ({ name: 'j', data: { n } })));
    assert.equal(await db.llen(`${P}:w:paused`), 3, 'BullMQ 5 adds to the paused list');
    await sleep(1000);
    assert.deepEqual(done, []);
    await mutate(redis, P, ['queue', 'resume', 'w']);
    await waitFor(() => done.length === 3, { timeoutMs: 500, intervalMs: 10, what: '3 jobs after resume' });
  });

  test('resume of a 20000-id paused list merged into a non-empty wait: batches, order kept, queue paused until the last', async () => {
    const P = 'p5big';
    const [a] = await twins(P, Queue5, async (q) => { await q.pause(); });
    await rawList(db, `${P}:a:paused`, 1, 20000);
    await db.lpush(`${P}:a:wait`, 'early');
    const out = await mutate(redis, P, ['queue', 'resume', 'a']);
    assert.equal(out.calls, 3);
    assert.equal(out.jobs_moved, 20000);
    const wait = await db.lrange(`${P}:a:wait`, 0, -1);
    assert.equal(wait.length, 20001);
    assert.equal(wait[0], 'early');
    assert.equal(wait[1], '20000');
    assert.equal(wait.at(-1), '1', 'the oldest paused id is at the head');
    assert.equal(await a.isPaused(), false);
    assert.equal((await events(P, 'a')).filter((e) => e === 'resumed').length, 1);
  });
});

test('audit: one line per mutation with the contract fields, no password', async () => {
  const secret = 's3cr3t-pause';
  const r2 = await startRedis({ password: secret });
  try {
    const q = new Queue('a', { connection: { host: r2.host, port: r2.port, password: secret }, prefix: 'aud' });
    await q.add('x', {});
    await q.close();
    const file = `${tempDir('audit')}/audit.jsonl`;
    const args = ['queue', 'pause', 'a', '--redis', r2.url, '--prefix', 'aud', '--yes', '--audit-log', file];
    const r = await run(args, { env: { REDIS_PASSWORD: secret } });
    assertCode(args, r, 0);
    const dry = ['queue', 'resume', 'a', '--redis', r2.authUrl, '--prefix', 'aud', '--dry-run', '--audit-log', file];
    assertCode(dry, await run(dry), 0);
    const lines = auditLines(file);
    assert.equal(lines.length, 2);
    for (const f of AUDIT_FIELDS) assert.ok(f in lines[0], `audit field ${f}`);
    assert.equal(lines[0].action, 'queue.pause');
    assert.equal(lines[0].matched, 1);
    assert.equal(lines[0].changed, 1);
    assert.equal(lines[1].dry_run, true);
    assert.ok(!JSON.stringify(lines).includes(secret), 'password in the audit log');
  } finally {
    await r2.stop();
  }
});
