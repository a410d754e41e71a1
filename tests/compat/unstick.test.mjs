// opsctl job unstick against BullMQ 6.7.0: a SIGKILLed worker's job (refused while its lock lives,
// requeued after, run by a fresh worker), a live worker left alone, --older-than, --to failed, the
// stalled-job checker's dump, corrupted ids, safety protocol, audit.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';

import { Job, Queue, Worker } from 'bullmq';
import { Queue as Queue5, Worker as Worker5 } from 'bullmq5';

import { assertCode, REPO, run, sleep, tempDir, waitFor } from '../lib/harness.mjs';
import { useRedis } from '../lib/servers.mjs';
import { assertSafety, assertSameDump, auditLines, AUDIT_FIELDS, dump, loadScript, mutate } from '../lib/state_helpers.mjs';

const REASON = 'job stalled: its worker stopped renewing the lock (moved by opsctl job unstick)';
const redis = useRedis({ maxmemoryPolicy: 'noeviction', close: (c) => c.close(true) });
const db = redis.io;
const closers = redis.closers;

const connection = () => ({ host: redis.host, port: redis.port });

async function newQueue(prefix, name = 'q') {
  const q = new Queue(name, { connection: connection(), prefix });
  closers.push(q);
  await q.waitUntilReady();
  return q;
}

function newWorker(prefix, name, fn, opts = {}) {
  const w = new Worker(name, fn, { connection: connection(), prefix, drainDelay: 30, ...opts });
  closers.push(w);
  return w;
}

// A worker in a child process (lockDuration 2000, stalled checks every 500 ms, so the job is in the
// `stalled` set too) that takes one job and hangs; killed with SIGKILL once the job is active.
async function killedWorker(prefix, name) {
  const code = `
    import { Worker } from 'bullmq';
    new Worker(${JSON.stringify(name)}, async (job) => { console.log('active ' + job.id); await new Promise(() => {}); },
      { connection: { host: '${redis.host}', port: ${redis.port} }, prefix: ${JSON.stringify(prefix)},
        lockDuration: 2000, stalledInterval: 500, drainDelay: 30 });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code],
    { cwd: path.join(REPO, 'tests', 'compat'), stdio: ['ignore', 'pipe', 'inherit'] });
  const id = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { const m = /active (\S+)/.exec(String(d)); if (m) resolve(m[1]); });
    child.on('exit', (c) => reject(new Error(`worker child exited early (${c})`)));
  });
  await waitFor(async () => (await db.sismember(`${prefix}:${name}:stalled`, id)) === 1, { what: 'job marked in stalled' });
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  return id;
}

const lockGone = (prefix, name, id) => waitFor(async () => (await db.exists(`${prefix}:${name}:${id}:lock`)) === 0,
  { timeoutMs: 5000, what: 'lock expiry' });

const events = async (prefix, name) => (await db.xrange(`${prefix}:${name}:events`, '-', '+')).map(([, f]) => f);

describe('a SIGKILLed worker', () => {
  test('its job is not matched while the lock lives; after expiry it is requeued and a fresh worker runs it', async () => {
    const P = 'uskill';
    const q = await newQueue(P);
    const job = await q.add('j', { n: 1 });
    const id = await killedWorker(P, 'q');
    assert.equal(id, job.id);

    const early = await mutate(redis, P, ['job', 'unstick', 'q']);
    assert.equal(early.matched, 0, 'a job with a live lock was matched');
    assert.equal(early.locked, 1);
    assert.equal(await (await Job.fromId(q, id)).getState(), 'active');

    const done = [];
    const fresh = newWorker(P, 'q', async (j) => { done.push(j.id); }, { skipStalledCheck: true });
    await fresh.waitUntilReady();
    await lockGone(P, 'q', id);
    const out = await mutate(redis, P, ['job', 'unstick', 'q']);
    const t0 = Date.now();
    assert.equal(out.matched, 1);
    assert.equal(out.changed, 1);
    assert.deepEqual(out.ids, [id]);  // once: not again when the fresh worker has already taken it back
    await waitFor(() => done.length === 1, { timeoutMs: 500, intervalMs: 10, what: 'fresh worker runs the job' });
    assert.ok(Date.now() - t0 < 1000);
    const ev = await events(P, 'q');
    const i = ev.findIndex((f) => f[1] === 'waiting' && f[5] === 'active');
    assert.deepEqual(ev[i], ['event', 'waiting', 'jobId', id, 'prev', 'active']);
    assert.deepEqual(ev[i + 1], ['event', 'stalled', 'jobId', id]);
    await waitFor(async () => (await Job.fromId(q, id)).finishedOn, { what: 'completed' });
    assert.equal((await Job.fromId(q, id)).stalledCounter, 1);
    // Leftovers, once the fresh worker is done with it (its own lock lives while it runs).
    assert.equal(await db.exists(`${P}:q:${id}:lock`), 0);
    assert.equal(await db.sismember(`${P}:q:stalled`, id), 0, 'stalled leftover');
  });

  test('--to failed: failedReason, finishedOn, attemptsMade + 1, `failed prev active`', async () => {
    const P = 'usfail';
    const q = await newQueue(P);
    await q.add('j', { n: 1 }, { attempts: 3 });
    const id = await killedWorker(P, 'q');
    await lockGone(P, 'q', id);
    const out = await mutate(redis, P, ['job', 'unstick', 'q', '--to', 'failed']);
    assert.equal(out.changed, 1);
    assert.equal(out.to, 'failed');
    const j = await Job.fromId(q, id);
    assert.equal(await j.getState(), 'failed');
    assert.equal(j.failedReason, REASON);
    assert.ok(j.finishedOn >= Date.now() - 10_000);
    assert.equal(j.attemptsMade, 1);
    assert.equal(await db.sismember(`${P}:q:stalled`, id), 0);
    const last = (await events(P, 'q')).at(-1);
    assert.deepEqual(last, ['event', 'failed', 'jobId', id, 'failedReason', REASON, 'prev', 'active']);
    assert.deepEqual(await q.getJobCounts('active', 'failed', 'waiting'), { active: 0, failed: 1, waiting: 0 });
  });
});

describe('live workers', () => {
  test('a job whose worker renews its lock is untouched and finishes without lock errors', async () => {
    const P = 'uslive';
    const q = await newQueue(P);
    let release;
    const gate = new Promise((r) => { release = r; });
    const errors = [];
    const w = newWorker(P, 'q', async () => { await gate; return 'ok'; }, { lockDuration: 2000 });
    w.on('error', (e) => errors.push(e.message));
    w.on('failed', (_j, e) => errors.push(e.message));
    const job = await q.add('j', {});
    await waitFor(async () => (await job.getState()) === 'active', { what: 'active' });
    for (let i = 0; i < 3; i++) {  // across a lock renewal
      const out = await mutate(redis, P, ['job', 'unstick', 'q']);
      assert.equal(out.matched, 0);
      assert.equal(out.locked, 1);
      await sleep(1000);
    }
    release();
    await waitFor(async () => (await job.getState()) === 'completed', { what: 'completed' });
    assert.deepEqual(errors, []);
  });

  test('the script itself re-checks the lock: a locked id passed to it is left alone unless past the cutoff', async () => {
    const P = 'usrecheck';
    const q = await newQueue(P);
    let release;
    const gate = new Promise((r) => { release = r; });
    const w = newWorker(P, 'q', async () => { await gate; }, { lockDuration: 5000 });
    w.on('error', () => {});
    const job = await q.add('j', {});
    await waitFor(async () => (await job.getState()) === 'active', { what: 'active' });
    const keys = ['active', 'wait', 'paused', 'meta', 'prioritized', 'stalled', 'marker', 'events', 'failed']
      .map((s) => `${P}:q:${s}`);
    const call = (cutoff) => db.eval(loadScript('unstick-jobs'), keys.length, ...keys, `${P}:q:`, 'v6', 'wait',
      cutoff, String(Date.now()), 'r', job.id);
    assert.deepEqual(await call(''), [[]]);
    assert.deepEqual(await call(String(Date.now() - 3600_000)), [[]], 'processedOn is not older than the cutoff');
    assert.equal(await job.getState(), 'active');
    assert.deepEqual(await call(String(Date.now() + 1000)), [[job.id]]);
    assert.equal(await job.getState(), 'waiting');
    await w.close(true);
    release();
  });

  test('--older-than moves a long-running locked job (lock deleted); a shorter one is not old enough', async () => {
    const P = 'usold';
    const q = await newQueue(P);
    let release;
    const gate = new Promise((r) => { release = r; });
    const hung = newWorker(P, 'q', async () => { await gate; }, { lockDuration: 5000 });
    hung.on('error', () => {});  // its late finish gets "Missing lock": the price of --older-than
    const job = await q.add('j', {});
    await waitFor(async () => (await job.getState()) === 'active', { what: 'active' });
    await sleep(1200);
    const young = await mutate(redis, P, ['job', 'unstick', 'q', '--older-than', '1h']);
    assert.equal(young.matched, 0);
    const out = await mutate(redis, P, ['job', 'unstick', 'q', '--older-than', '1s']);
    assert.equal(out.matched, 1);
    assert.equal(out.changed, 1);
    assert.equal(await db.exists(`${P}:q:${job.id}:lock`), 0);
    assert.equal(await job.getState(), 'waiting');
    await hung.close(true);
    release();
    const done = [];
    const fresh = newWorker(P, 'q', async (j) => { done.push(j.id); }, { skipStalledCheck: true });
    await waitFor(() => done.length === 1, { timeoutMs: 2000, what: 'fresh worker runs it' });
    await fresh.close();
  });
});

// Twin queues a and b, each with lock-less active jobs as a dead worker leaves them: taken with
// getNextJob (lock set), marked by a first stalled check (as a live checker does), lock deleted; then
// one more job added to wait.
async function deadActive(prefix, opts = [{}, { priority: 3 }], { Q = Queue, W = Worker } = {}) {
  const qs = [];
  for (const name of ['a', 'b']) {
    const q = new Q(name, { connection: connection(), prefix });
    closers.push(q);
    const T0 = 1_700_000_000_000;
    await q.addBulk(opts.map((o, i) => ({ name: 'j', data: { i }, opts: { ...o, timestamp: T0 } })));
    const w = new W(name, null, { connection: connection(), prefix, autorun: false });
    closers.push(w);
    for (let i = 0; i < opts.length; i++) assert.ok(await w.getNextJob(`tok${i}`, { block: false }));
    await q.add('waiting', {}, { timestamp: T0 });
    await w.moveStalledJobsToWait();  // first pass: marks the active ids in `stalled`
    await db.del(`${prefix}:${name}:stalled-check`);
    for (const id of await db.lrange(`${prefix}:${name}:active`, 0, -1)) await db.del(`${prefix}:${name}:${id}:lock`);
    qs.push({ q, w });
  }
  return qs;
}

// BullMQ's second pass, then its run guard removed (opsctl has none).
async function bullmqChecker(prefix, twin) {
  await twin.w.moveStalledJobsToWait();
  await db.del(`${prefix}:b:stalled-check`);
}

describe('against the stalled-job checker', () => {
  test('same dump as moveStalledJobsToWait, except a prioritized job goes back to prioritized', async () => {
    const P = 'usdiff';
    const [, b] = await deadActive(P);
    const out = await mutate(redis, P, ['job', 'unstick', 'a']);
    await bullmqChecker(P, b);
    assert.equal(out.changed, 2);
    const da = await dump(redis, P, 'a', db);
    const dbb = await dump(redis, P, 'b', db);
    // BullMQ 6.7's checker RPUSHes every job to wait, ignoring priority; opsctl puts job 2 (priority 3)
    // back at the front of its priority, as BullMQ does for a rate-limited prioritized job.
    assert.deepEqual(da.wait.value, ['3', '1']);
    assert.deepEqual(dbb.wait.value, [...da.wait.value, '2']);
    assert.deepEqual(da.prioritized.value, [['2', String(3 * 2 ** 32)]]);
    assert.ok(!('prioritized' in dbb));
    // Events: the same entries; opsctl walks active from index 0, the job taken last (2 then 1),
    // BullMQ the stalled set.
    const events = (d) => d.events.value.map((e) => e.join(' '));
    assert.deepEqual(events(da).slice(-4), ['event waiting jobId 2 prev active', 'event stalled jobId 2',
      'event waiting jobId 1 prev active', 'event stalled jobId 1']);
    assert.deepEqual([...events(da)].sort(), [...events(dbb)].sort());
    assertSameDump({ ...da, wait: null, prioritized: null, events: null }, { ...dbb, wait: null, prioritized: null, events: null });
  });

  test('several jobs: the same dump but for the order, opsctl keeps the order they were taken in', async () => {
    const P = 'usorder';
    const [, b] = await deadActive(P, [{}, {}, {}, {}]);
    await mutate(redis, P, ['job', 'unstick', 'a']);
    await bullmqChecker(P, b);
    const da = await dump(redis, P, 'a', db);
    const dbb = await dump(redis, P, 'b', db);
    // BullMQ requeues in SMEMBERS order of the `stalled` set (arbitrary); opsctl walks the active list,
    // so the job taken first (1) is at the head again and runs first.
    assert.deepEqual(da.wait.value, ['5', '4', '3', '2', '1']);
    assert.deepEqual([...dbb.wait.value].sort(), [...da.wait.value].sort());
    const events = (d) => d.events.value.map((e) => e.join(' '));
    assert.deepEqual([...events(da)].sort(), [...events(dbb)].sort());
    assertSameDump({ ...da, wait: null, events: null }, { ...dbb, wait: null, events: null });
  });

  test('a paused BullMQ 5 queue: same dump as its checker (paused list, no marker)', async () => {
    const P = 'us5';
    const [a, b] = await deadActive(P, [{}], { Q: Queue5, W: Worker5 });
    await a.q.pause();
    await b.q.pause();
    const out = await mutate(redis, P, ['job', 'unstick', 'a']);
    await bullmqChecker(P, b);
    assert.equal(out.layout, 'bullmq5');
    const da = await dump(redis, P, 'a', db);
    assertSameDump(da, await dump(redis, P, 'b', db));
    assert.deepEqual(da.paused.value, ['2', '1']);
    assert.ok(!('marker' in da));
  });

  test('corrupted: an active id without a hash and one of the wrong type are reported; the rest move (exit 2)', async () => {
    const P = 'usbad';
    await deadActive(P, [{}, {}]);
    await db.lpush(`${P}:a:active`, 'ghost', 'strjob');
    await db.set(`${P}:a:strjob`, 'x');
    const out = await mutate(redis, P, ['job', 'unstick', 'a'], { code: 2 });
    assert.equal(out.changed, 2);
    assert.deepEqual(out.problems.map((p) => p.id).sort(), ['ghost', 'strjob']);
    assert.deepEqual((await db.lrange(`${P}:a:active`, 0, -1)).sort(), ['ghost', 'strjob']);
  });

  test('--limit 1 moves one; dry run, no --yes, read_only: nothing changes; audit line', async () => {
    const P = 'ussafe';
    await deadActive(P);
    const dry = await assertSafety(redis, P, 'a', ['job', 'unstick', 'a'], db);
    assert.equal(dry.matched, 2);
    const file = `${tempDir('audit')}/audit.jsonl`;
    const one = await mutate(redis, P, ['job', 'unstick', 'a', '--limit', '1'], { extra: ['--audit-log', file] });
    assert.equal(one.changed, 1);
    assert.equal(await db.llen(`${P}:a:active`), 1);
    const [line] = auditLines(file);
    for (const f of AUDIT_FIELDS) assert.ok(f in line, `audit field ${f}`);
    assert.equal(line.action, 'job.unstick');
    assert.equal(line.changed, 1);
    const bad = ['job', 'unstick', 'a', '--older-than', 'soon', '--redis', redis.url, '--prefix', P, '--yes'];
    assertCode(bad, await run(bad), 64);
  });
});
