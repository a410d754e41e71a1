// The time-aware checks of queue inspect and queue list against queues built by the real BullMQ and
// then aged the way hours of production leave them: the timestamps BullMQ wrote (timestamp,
// processedOn, finishedOn, the finished sets' scores, a scheduler's next run) are moved into the past.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';

import { Queue, Worker } from 'bullmq';

import { OPSCTL_BIN, assertCode, lines, run, runJson, waitFor } from '../lib/harness.mjs';
import { useRedis } from '../lib/servers.mjs';

const MIN = 60_000;
const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const db = redis.io;
const connection = redis.connection;
const closers = redis.closers;

async function newQueue(prefix, name, defaultJobOptions = {}) {
  const q = new Queue(name, { connection, prefix, defaultJobOptions });
  await q.waitUntilReady();
  closers.push(q);
  return q;
}

// Runs jobs to completion (or failure, for data.fail) with a worker that is closed afterwards.
async function finish(q, prefix, jobs, workerOpts = {}) {
  let finished = 0;
  const w = new Worker(q.name, async (job) => {
    if (job.data.fail) throw new Error('boom');
    return 'done';
  }, { connection, prefix, concurrency: 50, ...workerOpts });
  w.on('completed', () => { finished++; });
  w.on('failed', () => { finished++; });
  await q.addBulk(jobs.map((data) => ({ name: data.fail ? 'bad' : 'ok', data, opts: { attempts: 1 } })));
  await waitFor(async () => finished === jobs.length, { what: `${jobs.length} jobs finished` });
  await w.close();
}

// The events stream's ids are the server's times of its events: shifting every entry `ms` into the
// past keeps the stream telling the same story as the aged jobs.
async function ageEvents(prefix, queue, ms) {
  const key = `${prefix}:${queue}:events`;
  const entries = await db.xrange(key, '-', '+');
  await db.del(key);
  for (const [id, fields] of entries) {
    const [t, seq] = id.split('-').map(Number);
    await db.xadd(key, `${t - ms}-${seq}`, ...fields);
  }
}

// Moves the given fields of the jobs (and their score in `set`) `ms` into the past; with finished
// jobs, the events stream too.
async function age(prefix, queue, ids, ms, { fields = ['timestamp', 'processedOn', 'finishedOn'], set } = {}) {
  if (set === 'completed' || set === 'failed') await ageEvents(prefix, queue, ms);
  for (const id of ids) {
    const key = `${prefix}:${queue}:${id}`;
    const values = await db.hmget(key, ...fields);
    const updates = [];
    fields.forEach((f, i) => { if (values[i] !== null) updates.push(f, String(Number(values[i]) - ms)); });
    if (updates.length) await db.hset(key, ...updates);
    if (set) {
      const score = await db.zscore(`${prefix}:${queue}:${set}`, id);
      if (score !== null) await db.zadd(`${prefix}:${queue}:${set}`, String(Number(score) - ms), id);
    }
  }
}
const idsOf = (prefix, queue, key) => db.zrange(`${prefix}:${queue}:${key}`, 0, -1);
const listIds = (prefix, queue, key) => db.lrange(`${prefix}:${queue}:${key}`, 0, -1);

const inspectArgs = (prefix, queue, ...more) => ['queue', 'inspect', queue, '--redis', redis.url, '--prefix', prefix, ...more];
async function inspect(prefix, queue, code, ...more) {
  const args = [...inspectArgs(prefix, queue, ...more), '-o', 'json'];
  const r = await runJson(args);
  assertCode(args, r, code);
  return r.json;
}
const check = (json, name) => {
  const c = json.checks.find((k) => k.name === name);
  assert.ok(c, `no check ${name}: ${JSON.stringify(json.checks.map((k) => k.name))}`);
  return c;
};

describe('failures in a window', () => {
  const P = 'win';
  let q;
  before(async () => {
    q = await newQueue(P, 'hist', { removeOnFail: 500 });
    await finish(q, P, Array.from({ length: 300 }, (_, i) => ({ fail: true, i })));
    await age(P, 'hist', await idsOf(P, 'hist', 'failed'), 2 * 24 * 60 * MIN, { set: 'failed' });
  });

  test('300 failures from two days ago: ok, reported but never raising the level', async () => {
    const j = await inspect(P, 'hist', 0);
    assert.equal(j.status, 'ok');
    assert.equal(j.counts.failed, 300);
    assert.equal(j.failed_window.in_window, 0);
    assert.equal(j.failed_window.retained, 300);
    const c = check(j, 'failed');
    assert.equal(c.level, 'ok');
    assert.match(c.message, /^0 failed in the last 15m; 300 older failures retained, newest 2d 00h ago$/);
  });

  test('5 fresh failures are at the threshold (ok), 6 are above it (warning)', async () => {
    await finish(q, P, Array.from({ length: 5 }, (_, i) => ({ fail: true, fresh: i })));
    let j = await inspect(P, 'hist', 0);
    assert.equal(j.failed_window.in_window, 5);
    assert.equal(check(j, 'failed').level, 'ok');
    await finish(q, P, [{ fail: true, fresh: 5 }]);
    j = await inspect(P, 'hist', 1);
    assert.equal(check(j, 'failed').level, 'warning');
    assert.equal(check(j, 'failed').value, 6);
    assert.match(check(j, 'failed').why, /opsctl queue retry hist --since 15m/);
    // a shorter window than the fresh failures' age: back to ok
    await age(P, 'hist', (await idsOf(P, 'hist', 'failed')).slice(-6), 3 * MIN, { set: 'failed' });
    j = await inspect(P, 'hist', 0, '--window', '2m');
    assert.equal(j.failed_window.in_window, 0);
    j = await inspect(P, 'hist', 2, '--crit-failed', '5');
    assert.equal(check(j, 'failed').level, 'critical');
  });

  test('-o nagios: the worst level and each figure with its warn;crit', async () => {
    const args = inspectArgs(P, 'hist', '-o', 'nagios');
    const r = await run(args);
    assertCode(args, r, 1);
    assert.equal(lines(r.stdout).length, 1);
    assert.match(r.stdout, /^OPSCTL QUEUE WARNING - hist: /);
    assert.match(r.stdout, / failed_window=6;5;20 /);
    assert.match(r.stdout, / failed=306 /, 'the count of the failed state, without thresholds');
    assert.match(r.stdout, / backlog=0;10;50 /);
  });

  test('queue retry --since acts on the spike alone (dry run)', async () => {
    const args = ['queue', 'retry', 'hist', '--since', '15m', '--dry-run', '-o', 'json', '--redis', redis.url, '--prefix', P];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.matched, 6);
    assert.equal(r.json.changed, 0);
  });
});

describe('processor down', () => {
  const P = 'pd';
  async function stalledQueue(name, ageMs) {
    const q = await newQueue(P, name);
    await finish(q, P, [{ n: 1 }, { n: 2 }]);
    await age(P, name, await idsOf(P, name, 'completed'), ageMs, { set: 'completed' });
    await q.addBulk([1, 2, 3].map((n) => ({ name: 'w', data: { n } })));
    await age(P, name, await listIds(P, name, 'wait'), ageMs, { fields: ['timestamp'] });
    return q;
  }
  before(async () => {
    await stalledQueue('down', 25 * MIN);
    await stalledQueue('slow', 9 * MIN);
    const held = await stalledQueue('held', 25 * MIN);
    await held.pause();
    const idle = await newQueue(P, 'idle');
    await finish(idle, P, [{ n: 1 }]);
    await age(P, 'idle', await idsOf(P, 'idle', 'completed'), 25 * MIN, { set: 'completed' });
  });

  test('jobs waiting 25 minutes and nothing finished for 25 minutes: critical, with the evidence', async () => {
    const j = await inspect(P, 'down', 2);
    assert.equal(j.status, 'critical');
    const c = check(j, 'processor');
    assert.equal(c.level, 'critical');
    assert.match(c.message, /^processor down: 3 jobs waiting \(oldest 25m 0\ds\), nothing finished for 25m 0\ds, 0 workers connected$/);
    assert.match(c.why, /no worker is connected/);
    assert.ok(j.last_finished_age_ms >= 25 * MIN && j.last_finished_age_ms < 26 * MIN, j.last_finished_age_ms);
    assert.equal(j.paused, false);
  });

  test('9 minutes: not yet', async () => {
    const j = await inspect(P, 'slow', 0);
    assert.equal(check(j, 'processor').level, 'ok');
  });

  test('a paused queue is its own finding, not processor down', async () => {
    const j = await inspect(P, 'held', 1);
    assert.equal(check(j, 'processor').level, 'ok');
    assert.equal(check(j, 'paused').level, 'warning');
    assert.match(check(j, 'paused').why, /opsctl queue resume held/);
  });

  test('an idle queue (nothing waiting) is ok however long ago its last job finished', async () => {
    const j = await inspect(P, 'idle', 0);
    assert.equal(j.status, 'ok');
    assert.match(check(j, 'processor').message, /^idle: nothing waiting; last job finished 25m/);
  });

  test('a local clock 8 minutes ahead: said, and ages still judged by the server clock', async () => {
    const args = ['-f', '+8m', OPSCTL_BIN, ...inspectArgs(P, 'slow', '-o', 'json')];
    // (libfaketime is preloaded: a sanitizer build must not insist on coming first)
    const r = await run(args, { bin: 'faketime', env: { FAKETIME_DONT_FAKE_MONOTONIC: '1', ASAN_OPTIONS: 'verify_asan_link_order=0' } });
    assertCode(args, r, 0);
    const j = JSON.parse(r.stdout);
    assert.ok(Math.abs(j.clock_skew_ms - 8 * MIN) < 5000, `clock_skew_ms ${j.clock_skew_ms}`);
    assert.match(check(j, 'clock').message, /^this machine's clock is (7m 5\d|8m 0\d)s ahead of the Redis server's/);
    assert.equal(check(j, 'processor').level, 'ok', '9 minutes by the server, 17 by the local clock');
  });
});

describe('a busy worker: job timeout and a sustained backlog', () => {
  const P = 'busy';
  let q;
  let release;
  const gate = new Promise((r) => { release = r; });
  let activeId;
  before(async () => {
    q = await newQueue(P, 'long');
    const w = new Worker('long', async () => { await gate; }, { connection, prefix: P, concurrency: 1, lockDuration: 30000 });
    closers.push({ close: async () => { release(); await w.close(); } });
    activeId = (await q.add('report', { n: 0 })).id;
    await waitFor(async () => (await q.getJobCounts('active')).active === 1, { what: 'one active' });
    await q.addBulk(Array.from({ length: 11 }, (_, i) => ({ name: 'w', data: { i } })));
  });

  test('active for 4 minutes and 11 jobs waiting a few seconds beside a live worker: ok', async () => {
    await age(P, 'long', [activeId], 4 * MIN, { fields: ['processedOn'] });
    const j = await inspect(P, 'long', 0);
    assert.equal(j.workers, 1);
    assert.equal(check(j, 'long_active').level, 'ok');
    assert.equal(check(j, 'backlog').level, 'ok');
    assert.match(check(j, 'backlog').message, /^11 waiting \(oldest \d+m?s: warns once it has waited 5m\)$/);
  });

  test('active for 7 minutes with its lock alive: warning naming the job', async () => {
    await age(P, 'long', [activeId], 3 * MIN, { fields: ['processedOn'] });
    const j = await inspect(P, 'long', 1);
    const c = check(j, 'long_active');
    assert.equal(c.level, 'warning');
    assert.match(c.message, new RegExp(`^1 active for over 5m: ${activeId} \\(report, 7m 0\\ds, lock alive\\)$`));
    assert.equal(j.long_active.length, 1);
    assert.equal(j.long_active[0].lock_alive, true);
  });

  test('the backlog warns once its oldest job waited 5 minutes, and is critical above 50', async () => {
    await age(P, 'long', await listIds(P, 'long', 'wait'), 6 * MIN, { fields: ['timestamp'] });
    let j = await inspect(P, 'long', 1);
    assert.equal(check(j, 'backlog').level, 'warning');
    assert.equal(check(j, 'processor').level, 'ok', 'waited 6 minutes, under 10');
    await q.addBulk(Array.from({ length: 40 }, (_, i) => ({ name: 'w', data: { i } })));
    j = await inspect(P, 'long', 2);
    assert.equal(check(j, 'backlog').level, 'critical');
    assert.match(j.summary, /^51 waiting \(> 50 critical\)/);
  });
});

describe('processing time, throughput and failure ratio', () => {
  const P = 'pt';
  async function setProcessing(name, ms) {
    for (const id of await idsOf(P, name, 'completed')) {
      const finished = Number(await db.hget(`${P}:${name}:${id}`, 'finishedOn'));
      await db.hset(`${P}:${name}:${id}`, 'processedOn', String(finished - ms));
    }
  }
  before(async () => {
    const p = await newQueue(P, 'p');
    await finish(p, P, Array.from({ length: 20 }, (_, i) => ({ i })));
    const r = await newQueue(P, 'r');
    await finish(r, P, [...Array.from({ length: 17 }, (_, i) => ({ i })), ...[1, 2, 3].map((i) => ({ fail: true, i }))]);
    const trim = await newQueue(P, 'trim', { removeOnComplete: 10 });
    await finish(trim, P, Array.from({ length: 30 }, (_, i) => ({ i })));
    const m = await newQueue(P, 'm', { removeOnComplete: 5 });
    await finish(m, P, Array.from({ length: 30 }, (_, i) => ({ i })), { metrics: { maxDataPoints: 60 } });
  });

  test('p95 of 25 s ok, 45 s warning, 75 s critical', async () => {
    for (const [ms, code, level] of [[25_000, 0, 'ok'], [45_000, 1, 'warning'], [75_000, 2, 'critical']]) {
      await setProcessing('p', ms);
      const j = await inspect(P, 'p', code);
      const c = check(j, 'processing_time');
      assert.equal(c.level, level, `${ms} ms`);
      assert.equal(c.value, ms / 1000);
      assert.equal(j.processing_ms.samples, 20);
      assert.equal(j.processing_ms.p95, ms);
    }
  });

  test('17 completed and 3 failed in the window: exact, 15 % failed is a warning', async () => {
    const j = await inspect(P, 'r', 1);
    assert.equal(j.completed_window.in_window, 17);
    assert.equal(j.completed_window.exact, true);
    assert.equal(j.throughput.exact, true);
    const c = check(j, 'failure_ratio');
    assert.equal(c.level, 'warning');
    assert.equal(c.value, 15);
    const calm = await inspect(P, 'r', 0, '--warn-failure-ratio', '15');
    assert.equal(check(calm, 'failure_ratio').level, 'ok');
  });

  test('removeOnComplete trims the window: a lower bound, the ratio not judged', async () => {
    const j = await inspect(P, 'trim', 0);
    assert.equal(j.completed_window.in_window, 10);
    assert.equal(j.completed_window.exact, false);
    assert.equal(j.completed_window.source, 'lower-bound');
    assert.match(check(j, 'failure_ratio').message, /^not judged/);
  });

  test("BullMQ's metrics keys give the exact count when retention trimmed the set", async () => {
    const j = await inspect(P, 'm', 0);
    assert.equal(j.counts.completed, 5);
    assert.equal(j.completed_window.source, 'metrics');
    assert.equal(j.completed_window.exact, true);
    assert.equal(j.completed_window.in_window, 30);
  });
});

describe('Job Schedulers in queue inspect', () => {
  const P = 'sc';
  let q;
  before(async () => {
    q = await newQueue(P, 's');
    await q.upsertJobScheduler('every-5m', { every: 5 * MIN }, { name: 'tick' });
  });

  test('on time: ok; next run 40 minutes overdue: warning; its job gone: critical', async () => {
    let j = await inspect(P, 's', 0);
    assert.equal(check(j, 'schedulers').level, 'ok');
    assert.equal(j.schedulers.total, 1);
    const base = `${P}:s`;
    const old = await db.zscore(`${base}:repeat`, 'every-5m');
    const at = Number((await db.time())[0]) * 1000 - 40 * MIN;
    await db.rename(`${base}:repeat:every-5m:${old}`, `${base}:repeat:every-5m:${at}`);
    await db.zrem(`${base}:delayed`, `repeat:every-5m:${old}`);
    await db.zadd(`${base}:delayed`, String(at * 4096), `repeat:every-5m:${at}`);
    await db.zadd(`${base}:repeat`, String(at), 'every-5m');
    // 40 minutes overdue with no worker: its due job also makes the processor down
    j = await inspect(P, 's', 2);
    assert.equal(check(j, 'schedulers').level, 'warning');
    assert.equal(check(j, 'processor').level, 'critical');
    assert.equal(j.schedulers.overdue, 1);
    assert.match(check(j, 'schedulers').why, /opsctl queue schedulers s/);
    const text = await run(inspectArgs(P, 's'));
    assertCode(inspectArgs(P, 's'), text, 2);
    assert.match(text.stdout, /^Job Schedulers not on time \(of 1; all of them: opsctl queue schedulers s\):$/m);
    assert.match(text.stdout, new RegExp(`^every-5m\\s+\\S+\\s+repeat:every-5m:${at}\\s+delayed\\s+`, 'm'));
    await db.del(`${base}:repeat:every-5m:${at}`);
    await db.zrem(`${base}:delayed`, `repeat:every-5m:${at}`);
    j = await inspect(P, 's', 2);
    assert.equal(check(j, 'schedulers').level, 'critical');
    assert.equal(j.schedulers.broken, 1);
  });
});

describe('queue list: the same verdicts for a whole prefix', () => {
  const P = 'ls';
  before(async () => {
    const fine = await newQueue(P, 'fine');
    await fine.addBulk([1, 2].map((n) => ({ name: 'w', data: { n } })));
    const spike = await newQueue(P, 'spike');
    await finish(spike, P, Array.from({ length: 6 }, (_, i) => ({ fail: true, i })));
    const down = await newQueue(P, 'down');
    await down.add('w', {});
    await age(P, 'down', await listIds(P, 'down', 'wait'), 30 * MIN, { fields: ['timestamp'] });
  });
  const listArgs = (...more) => ['queue', 'list', '--redis', redis.url, '--prefix', P, ...more];

  test('-o json: a status per queue; a listing exits 0, --check exits with the worst', async () => {
    const r = await runJson(listArgs('-o', 'json'));
    assertCode(listArgs('-o', 'json'), r, 0);
    const by = Object.fromEntries(r.json.queues.map((x) => [x.queue, x]));
    assert.equal(by.fine.status, 'ok');
    assert.equal(by.spike.status, 'warning');
    assert.equal(by.down.status, 'critical');
    assert.equal(r.json.status, 'critical');
    assert.equal(by.spike.failed_window.in_window, 6);
    const checked = await run(listArgs('--check'));
    assertCode(listArgs('--check'), checked, 2);
    assert.match(checked.stdout, /^down\s+CRITICAL/m);
  });

  test('-o nagios: one line for the prefix, the worst status, every queue in the perfdata', async () => {
    const r = await run(listArgs('-o', 'nagios'));
    assertCode(listArgs('-o', 'nagios'), r, 2);
    assert.equal(lines(r.stdout).length, 1);
    assert.match(r.stdout, /^OPSCTL QUEUES CRITICAL - 2 of 3 queues not ok: /);
    assert.match(r.stdout, / spike\.failed_window=6;5;20 /);
    assert.match(r.stdout, / fine\.backlog=2;10;50 /);
  });
});

describe('edges a live queue shows', () => {
  const P = 'edge';

  test('a busy queue of 2 ms jobs: jobs finishing during the read are never called stalled', async () => {
    const q = await newQueue(P, 'fast', { removeOnComplete: true });
    const w = new Worker('fast', async () => { await new Promise((r) => setTimeout(r, 2)); },
      { connection, prefix: P, concurrency: 5 });
    closers.push(w);
    await q.addBulk(Array.from({ length: 3000 }, (_, i) => ({ name: 'f', data: { i } })));
    let runs = 0;
    while ((await q.getJobCounts('waiting')).waiting > 200 && runs < 30) {
      const args = [...inspectArgs(P, 'fast'), '-o', 'json'];
      const j = (await runJson(args)).json;
      assert.ok(!j.checks.some((c) => c.name === 'stalled'), JSON.stringify(j.stalled));
      runs++;
    }
    assert.ok(runs >= 3, `only ${runs} looks while the queue drained`);
  });

  test('delayed jobs already due with no worker to promote them: processor down', async () => {
    const q = await newQueue(P, 'due');
    await finish(q, P, [{ n: 1 }]);
    await age(P, 'due', await idsOf(P, 'due', 'completed'), 30 * MIN, { set: 'completed' });
    const jobs = await q.addBulk([1, 2, 3].map((n) => ({ name: 'd', data: { n }, opts: { delay: 60_000 } })));
    for (const job of jobs) {  // due 20 minutes ago
      const score = Number(await db.zscore(`${P}:due:delayed`, job.id));
      await db.zadd(`${P}:due:delayed`, String(score - 21 * MIN * 4096), job.id);
    }
    const j = await inspect(P, 'due', 2);
    assert.equal(j.counts.waiting, 0);
    assert.match(check(j, 'processor').message, /^processor down: 3 jobs waiting incl\. 3 delayed jobs already due \(oldest (19m 5\d|20m 0\d)s\)/);
  });

  test("a promoted delayed job's wait starts when it became due, not when it was added", async () => {
    const q = await newQueue(P, 'later');
    const w = new Worker('later', async () => 'ok', { connection, prefix: P });
    closers.push(w);
    await q.add('l', {}, { delay: 1500 });
    await waitFor(async () => (await q.getJobCounts('completed')).completed === 1, { what: 'the delayed job ran' });
    const j = await inspect(P, 'later', 0);
    assert.equal(j.wait_ms.samples, 1);
    assert.ok(j.wait_ms.max < 1000, `waited ${j.wait_ms.max} ms after its due time (the delay was 1500 ms)`);
  });

  test('LIFO producers: the oldest waiting job is at the other end of wait', async () => {
    const q = await newQueue(P, 'lifo');
    const first = await q.add('x', { n: 1 }, { lifo: true });
    await q.addBulk([2, 3, 4].map((n) => ({ name: 'x', data: { n }, opts: { lifo: true } })));
    await age(P, 'lifo', [first.id], 30 * MIN, { fields: ['timestamp'] });
    const j = await inspect(P, 'lifo', 2);
    assert.equal(j.oldest_waiting.id, first.id);
    assert.equal(check(j, 'processor').level, 'critical');
  });
});
