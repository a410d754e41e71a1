// opsctl queue promote / job promote against BullMQ: Queue.promoteJobs() and Job.promote() dumps,
// workers waking up, BullMQ 5 paused lists, refused ids, corrupted jobs, safety protocol, audit.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Job, Queue, Worker } from 'bullmq';
import { Queue as Queue5 } from 'bullmq5';

import { assertCode, run, tempDir, waitFor } from '../lib/harness.mjs';
import { useRedis } from '../lib/servers.mjs';
import { assertSafety, assertSameDump, auditLines, AUDIT_FIELDS, dump, loadScript, mutate } from '../lib/state_helpers.mjs';

const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const db = redis.io;
const closers = redis.closers;
const T0 = Date.now();  // fixed job timestamps: delayed scores and `delayed` events are then equal in twins

const connection = () => ({ host: redis.host, port: redis.port });

async function twins(prefix, fill, Q = Queue) {
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

// n delayed jobs due in shuffled order (some in the same millisecond), every 7th with a priority.
async function delayedJobs(q, n) {
  const jobs = [];
  for (let i = 1; i <= n; i++) {
    const opts = { delay: 60_000 + ((i * 7919) % n) * 10 + (i % 3 === 0 ? 0 : 1), timestamp: T0 };
    if (i % 7 === 0) opts.priority = 2;
    jobs.push({ name: 'd', data: { i }, opts });
  }
  for (let i = 0; i < jobs.length; i += 500) await q.addBulk(jobs.slice(i, i + 500));
  await q.addBulk([1, 2].map((i) => ({ name: 'w', data: { i }, opts: { timestamp: T0 } })));
}

describe('queue promote', () => {
  test('2500 delayed jobs: same dump as Queue.promoteJobs() (wait order, events, marker, delay kept)', async () => {
    const P = 'qpdiff';
    const [, b] = await twins(P, (q) => delayedJobs(q, 2500));
    const out = await mutate(redis, P, ['queue', 'promote', 'a']);
    await b.promoteJobs();
    assert.equal(out.matched, 2500);
    assert.equal(out.changed, 2500);
    assert.equal(out.ids.length, 20);
    const da = await dump(redis, P, 'a', db);
    assertSameDump(da, await dump(redis, P, 'b', db));
    assert.equal(da.wait.value.length, 2502);
    assert.ok(!('delayed' in da));
  });

  test('--limit 10 promotes the 10 earliest due, in due order', async () => {
    const P = 'qplimit';
    const [a] = await twins(P, (q) => delayedJobs(q, 50));
    const due = await db.zrange(`${P}:a:delayed`, 0, 9);
    const out = await mutate(redis, P, ['queue', 'promote', 'a', '--limit', '10']);
    assert.equal(out.matched, 10);
    assert.equal(out.changed, 10);
    assert.equal(await db.zcard(`${P}:a:delayed`), 40);
    assert.deepEqual(await db.lrange(`${P}:a:wait`, 0, 9), [...due].reverse(), 'earliest due at the head');
    assert.equal((await a.getJobCounts('waiting')).waiting, 12);
  });

  test('a paused BullMQ 5 queue: same dump as its promoteJobs() (paused list), nothing runs', async () => {
    const P = 'qp5';
    const [, b] = await twins(P, async (q) => { await delayedJobs(q, 30); await q.pause(); }, Queue5);
    const out = await mutate(redis, P, ['queue', 'promote', 'a']);
    await b.promoteJobs();
    assert.equal(out.layout, 'bullmq5');
    const da = await dump(redis, P, 'a', db);
    assertSameDump(da, await dump(redis, P, 'b', db));
    assert.equal(da.paused.value.length, 32);
    assert.ok(!('marker' in da), 'a marker on a paused queue');
  });

  test('a Worker blocked for 30 s runs 1 h delayed jobs within 500 ms of opsctl queue promote', async () => {
    const P = 'qpwake';
    const q = new Queue('w', { connection: connection(), prefix: P });
    closers.push(q);
    await q.addBulk([1, 2, 3].map((i) => ({ name: 'd', data: { i }, opts: { delay: 3600_000 } })));
    const done = [];
    const w = new Worker('w', async (job) => { done.push(job.id); }, { connection: connection(), prefix: P, drainDelay: 30 });
    closers.push(w);
    await w.waitUntilReady();
    await waitFor(async () => (await db.zcard(`${P}:w:marker`)) === 0, { what: 'worker popped the delay marker' });
    await mutate(redis, P, ['queue', 'promote', 'w']);
    await waitFor(() => done.length === 3, { timeoutMs: 500, intervalMs: 10, what: '3 promoted jobs run' });
  });

  test('an id without a hash and a hash of the wrong type are reported and left; the others move (exit 2)', async () => {
    const P = 'qpbad';
    const [a] = await twins(P, (q) => delayedJobs(q, 5));
    await db.zadd(`${P}:a:delayed`, '1', 'ghost');
    await db.zadd(`${P}:a:delayed`, '2', 'strjob');
    await db.set(`${P}:a:strjob`, 'x');
    const out = await mutate(redis, P, ['queue', 'promote', 'a'], { code: 2 });
    assert.equal(out.changed, 5);
    assert.equal(out.matched, 7);
    assert.deepEqual(out.problems.map((p) => p.id).sort(), ['ghost', 'strjob']);
    assert.match(JSON.stringify(out.problems), /no job hash.*job key is a string/);
    assert.deepEqual(await db.zrange(`${P}:a:delayed`, 0, -1), ['ghost', 'strjob']);
    assert.equal((await a.getJobCounts('waiting')).waiting, 7);
  });

  test('the script re-checks each id: one no longer delayed is not moved', async () => {
    const P = 'qprecheck';
    const [a] = await twins(P, (q) => delayedJobs(q, 2));
    const keys = ['delayed', 'wait', 'paused', 'meta', 'active', 'marker', 'events'].map((s) => `${P}:a:${s}`);
    const before = await dump(redis, P, 'a', db);
    // 3 is waiting (not delayed), 'gone' does not exist: nothing moves, nothing is reported.
    assert.deepEqual(await db.eval(loadScript('promote-delayed'), keys.length, ...keys, `${P}:a:`, 'v6', '3', 'gone'), [[]]);
    assertSameDump(await dump(redis, P, 'a', db), before);
    assert.deepEqual(await db.eval(loadScript('promote-delayed'), keys.length, ...keys, `${P}:a:`, 'v6', '1'), [['1']]);
    assert.equal(await (await Job.fromId(a, '1')).getState(), 'waiting');
  });

  test('dry run, no --yes, read_only context: nothing changes', async () => {
    const P = 'qpsafe';
    await twins(P, (q) => delayedJobs(q, 30));
    const dry = await assertSafety(redis, P, 'a', ['queue', 'promote', 'a'], db);
    assert.equal(dry.matched, 30);
    assert.equal(dry.ids.length, 20);
  });
});

describe('job promote', () => {
  test('same dump as Job.promote(): wait or prioritized by priority, delay 0, pc, events, "0:" marker dropped', async () => {
    const P = 'jpdiff';
    const fill = async (q) => {
      await delayedJobs(q, 14);
      await db.lpush(`${P}:${q.name}:wait`, '0:123');  // a BullMQ 4 delay marker at the tail
    };
    const [, b] = await twins(P, fill);
    const ids = ['3', '7', '14', '1'];  // 7 and 14 have priority 2
    const out = await mutate(redis, P, ['job', 'promote', 'a', ...ids]);
    for (const id of ids) await (await Job.fromId(b, id)).promote();
    assert.equal(out.matched, 4);
    assert.equal(out.changed, 4);
    assert.deepEqual(out.results, ids.map((id) => ({ id, result: 'promoted' })));
    const da = await dump(redis, P, 'a', db);
    assertSameDump(da, await dump(redis, P, 'b', db));
    assert.equal(da['7'].value.delay, '0');
    assert.deepEqual(da.prioritized.value.map(([id]) => id), ['7', '14']);
  });

  test('a job that is not delayed is refused, an unknown id not found, the rest promoted (exit 2)', async () => {
    const P = 'jprefuse';
    const [a] = await twins(P, (q) => delayedJobs(q, 3));
    const out = await mutate(redis, P, ['job', 'promote', 'a', '4', '2', 'nosuch'], { code: 2 });
    assert.equal(out.changed, 1);
    assert.deepEqual(out.results, [
      { id: '4', result: 'refused', reason: 'not delayed: it is waiting' },
      { id: '2', result: 'promoted' },
      { id: 'nosuch', result: 'not found', reason: 'no such job in this queue' },
    ]);
    assert.equal(await (await Job.fromId(a, '2')).getState(), 'waiting');
  });

  test('an id in delayed without a hash is a problem; the other id is promoted', async () => {
    const P = 'jpbad';
    await twins(P, (q) => delayedJobs(q, 2));
    await db.zadd(`${P}:a:delayed`, '1', 'ghost');
    const out = await mutate(redis, P, ['job', 'promote', 'a', 'ghost', '1'], { code: 2 });
    assert.equal(out.changed, 1);
    assert.deepEqual(out.problems.map((p) => p.id), ['ghost']);
    assert.deepEqual(out.results.map((r) => r.result), ['skipped', 'promoted']);
    assert.equal(await db.zscore(`${P}:a:delayed`, 'ghost'), '1');
  });

  test('a Worker blocked for 30 s runs the promoted job within 500 ms', async () => {
    const P = 'jpwake';
    const q = new Queue('w', { connection: connection(), prefix: P });
    closers.push(q);
    const job = await q.add('d', {}, { delay: 3600_000, priority: 4 });
    const done = [];
    const w = new Worker('w', async (j) => { done.push(j.id); }, { connection: connection(), prefix: P, drainDelay: 30 });
    closers.push(w);
    await w.waitUntilReady();
    await waitFor(async () => (await db.zcard(`${P}:w:marker`)) === 0, { what: 'worker popped the delay marker' });
    await mutate(redis, P, ['job', 'promote', 'w', job.id]);
    await waitFor(() => done.length === 1, { timeoutMs: 500, intervalMs: 10, what: 'promoted job runs' });
  });

  test('dry run, no --yes, read_only context: nothing changes; audit lines', async () => {
    const P = 'jpsafe';
    await twins(P, (q) => delayedJobs(q, 3));
    const dry = await assertSafety(redis, P, 'a', ['job', 'promote', 'a', '1', '2'], db);
    assert.deepEqual(dry.results.map((r) => r.result), ['would promote', 'would promote']);
    const file = `${tempDir('audit')}/audit.jsonl`;
    const args = ['job', 'promote', 'a', '1', '--redis', redis.url, '--prefix', P, '--yes', '--audit-log', file];
    assertCode(args, await run(args), 0);
    const [line] = auditLines(file);
    for (const f of AUDIT_FIELDS) assert.ok(f in line, `audit field ${f}`);
    assert.equal(line.action, 'job.promote');
    assert.equal(line.changed, 1);
  });
});
