// queue schedulers against the real BullMQ: Job Schedulers (6.7.0) and legacy repeatables (5.81.3).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Queue, Worker } from 'bullmq';
import { Queue as Queue5 } from 'bullmq5';

import { assertCode, run, runJson, startRedis, waitFor } from '../lib/harness.mjs';

const PREFIX = 'sch';
const MIN = 60_000;
let redis;
let connection;
const queues = [];
const workers = [];

const newQueue = async (name, Q = Queue) => {
  const q = new Q(name, { connection, prefix: PREFIX });
  await q.waitUntilReady();
  queues.push(q);
  return q;
};

before(async () => {
  redis = await startRedis({ maxmemoryPolicy: 'noeviction' });
  connection = { host: redis.host, port: redis.port };
});

after(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(queues.map((q) => q.close()));
  await redis?.stop();
});

const args = (queue, ...more) => ['queue', 'schedulers', queue, '--redis', redis.url, '--prefix', PREFIX, ...more];
const schedulers = (queue, ...more) => runJson([...args(queue, ...more), '-o', 'json']);
const byId = (json, id) => json.schedulers.find((s) => s.id === id);
const serverNow = async () => Number((await redis.cli('TIME')).split('\n')[0]) * 1000;

// Moves a scheduler's next run (its repeat score) and the delayed job carrying it to `at`, as if
// BullMQ had scheduled it then: the job id `repeat:<id>:<millis>` follows the new millis.
async function moveNextRun(queue, id, at) {
  const base = `${PREFIX}:${queue}`;
  const old = await redis.cli('ZSCORE', `${base}:repeat`, id);
  const oldJob = `repeat:${id}:${old}`;
  const newJob = `repeat:${id}:${at}`;
  await redis.cli('RENAME', `${base}:${oldJob}`, `${base}:${newJob}`);
  assert.equal(await redis.cli('ZREM', `${base}:delayed`, oldJob), '1', `${oldJob} was delayed`);
  await redis.cli('ZADD', `${base}:delayed`, String(at * 4096), newJob);
  await redis.cli('ZADD', `${base}:repeat`, String(at), id);
  return newJob;
}

describe('queue schedulers vs BullMQ', () => {
  let q;
  before(async () => {
    q = await newQueue('s');
    await q.upsertJobScheduler('every-5m', { every: 5 * MIN }, { name: 'tick', data: { a: 1 } });
    await q.upsertJobScheduler('nightly', { pattern: '0 3 * * *', tz: 'Europe/Paris' }, { name: 'nightly' });
    await q.upsertJobScheduler('limited', { pattern: '0 4 * * *', limit: 3 }, { name: 'few' });
  });

  test('every scheduler equals getJobSchedulers() and getJobScheduler()', async () => {
    const r = await schedulers('s');
    assertCode(args('s'), r, 0);
    assert.equal(r.json.status, 'ok');
    const expected = await q.getJobSchedulers();
    assert.equal(r.json.total, expected.length);
    assert.equal(r.json.schedulers.length, 3);
    for (const e of expected) {
      const s = byId(r.json, e.key);
      assert.ok(s, `${e.key} listed: ${JSON.stringify(r.json)}`);
      const one = await q.getJobScheduler(e.key);
      assert.equal(s.next_run_ms, e.next);
      assert.equal(s.next_run_ms, one.next);
      assert.equal(s.name, e.name);
      assert.equal(s.iterations, e.iterationCount);
      assert.equal(s.pattern, e.pattern ?? null);
      assert.equal(s.every_ms, e.every ?? null);
      assert.equal(s.tz, e.tz ?? null);
      assert.equal(s.limit, e.limit ?? null);
      assert.equal(s.legacy, false);
      assert.equal(s.next_job_id, `repeat:${e.key}:${e.next}`);
      assert.equal(s.next_job_state, await (await q.getJob(s.next_job_id)).getState());
      assert.equal(s.overdue, false);
      assert.equal(s.broken, false);
    }
    assert.equal(byId(r.json, 'nightly').next_job_state, 'delayed');
    // next run first
    const nexts = r.json.schedulers.map((s) => s.next_run_ms);
    assert.deepEqual(nexts, [...nexts].sort((a, b) => a - b));
  });

  test('a next run 40 minutes late with no worker: overdue, warning, exit 1; within grace: ok', async () => {
    const at = (await serverNow()) - 40 * MIN;
    const job = await moveNextRun('s', 'nightly', at);
    assert.equal((await q.getJobScheduler('nightly')).next, at);
    const r = await schedulers('s');
    assertCode(args('s'), r, 1);
    assert.equal(r.json.status, 'warning');
    assert.equal(r.json.overdue, 1);
    assert.equal(r.json.broken, 0);
    const s = byId(r.json, 'nightly');
    assert.equal(s.overdue, true);
    assert.equal(s.next_job_id, job);
    assert.equal(s.next_job_state, 'delayed');
    assert.ok(s.overdue_ms >= 40 * MIN && s.overdue_ms < 42 * MIN, String(s.overdue_ms));
    assert.match(s.finding, /still delayed/);

    const ok = await schedulers('s', '--grace', '41m');
    assertCode(args('s', '--grace', '41m'), ok, 0);
    assert.equal(byId(ok.json, 'nightly').overdue, false);

    const nagios = await run([...args('s'), '-o', 'nagios']);
    assertCode(args('s', '-o', 'nagios'), nagios, 1);
    assert.match(nagios.stdout, /^OPSCTL SCHEDULERS WARNING - s: .*\| overdue=1;0; broken=0;;0 schedulers=3\n$/);
    const prom = await run([...args('s'), '-o', 'prom']);
    assert.match(prom.stdout, /^opsctl_queue_schedulers_overdue\{prefix="sch",queue="s"\} 1$/m);
    assert.match(prom.stdout, /^opsctl_queue_schedulers\{prefix="sch",queue="s"\} 3$/m);
    const text = await run(args('s'));
    assert.match(text.stdout, /nightly .*delayed \(overdue\)/);
    assert.match(text.stdout, /next: opsctl queue inspect s --prefix sch/);
  });

  test('the job of the next run deleted: broken, critical, exit 2', async () => {
    const next = (await q.getJobScheduler('limited')).next;
    const job = `repeat:limited:${next}`;
    await redis.cli('DEL', `${PREFIX}:s:${job}`);
    await redis.cli('ZREM', `${PREFIX}:s:delayed`, job);
    const r = await schedulers('s');
    assertCode(args('s'), r, 2);
    assert.equal(r.json.status, 'critical');
    assert.equal(r.json.broken, 1);
    const s = byId(r.json, 'limited');
    assert.equal(s.broken, true);
    assert.equal(s.ended, false);  // 1 of 3 iterations: not the configured end
    assert.equal(s.next_job_state, null);
    assert.match(s.finding, /does not exist/);
  });
});

describe('queue schedulers with a worker', () => {
  test('a running chain goes on: next job delayed, not overdue, iterations follow BullMQ', async () => {
    const q = await newQueue('w');
    await q.upsertJobScheduler('fast', { every: 300 }, { name: 'f' });
    workers.push(new Worker('w', async () => {}, { connection, prefix: PREFIX }));
    await waitFor(async () => (await q.getJobCounts('completed')).completed >= 3, { what: '3 runs' });
    const r = await schedulers('w');
    assertCode(args('w'), r, 0);
    const s = byId(r.json, 'fast');
    assert.equal(s.overdue, false);
    assert.equal(s.broken, false);
    assert.ok(['delayed', 'waiting', 'active'].includes(s.next_job_state), s.next_job_state);
    assert.ok(s.iterations >= 3, String(s.iterations));
    assert.ok(s.next_run_ms > (await serverNow()) - 5000);
  });

  test('a limit reached ends the chain: ended, not broken, exit 0', async () => {
    const q = await newQueue('lim');
    await q.upsertJobScheduler('twice', { every: 200, limit: 2 }, { name: 't' });
    workers.push(new Worker('lim', async () => {}, { connection, prefix: PREFIX }));
    await waitFor(async () => (await q.getJobCounts('completed')).completed === 2, { what: '2 runs' });
    const r = await schedulers('lim');
    assertCode(args('lim'), r, 0);
    const s = byId(r.json, 'twice');
    assert.equal(s.iterations, (await q.getJobScheduler('twice')).iterationCount);
    assert.equal(s.next_job_state, 'completed');
    assert.equal(s.ended, true);
    assert.equal(s.broken, false);
    assert.equal(s.ended_reason, 'limit of 2 iterations reached');
  });
});

describe('queue schedulers: legacy and bad data', () => {
  test('a BullMQ 5 repeatable job is listed as legacy, with its delayed job', async () => {
    const q5 = await newQueue('v5', Queue5);
    await q5.add('old', { x: 1 }, { repeat: { every: 10 * MIN } });
    const [expected] = await q5.getRepeatableJobs();
    const r = await schedulers('v5');
    assertCode(args('v5'), r, 0);
    assert.equal(r.json.total, 1);
    const s = r.json.schedulers[0];
    assert.equal(s.id, expected.key);
    assert.equal(s.legacy, true);
    assert.equal(s.name, 'old');
    assert.equal(s.every_ms, 10 * MIN);
    assert.equal(s.next_run_ms, expected.next);
    assert.equal(s.next_job_state, 'delayed');
    assert.equal((await q5.getJob(s.next_job_id)).name, 'old');
    assert.equal(s.iterations, 1);  // from the job's opts.repeat.count
  });

  test('a repeat key of the wrong type: a problem, unknown, exit 3', async () => {
    await newQueue('bad');
    await redis.cli('SET', `${PREFIX}:bad:repeat`, 'garbage');
    const r = await schedulers('bad');
    assertCode(args('bad'), r, 3);
    assert.equal(r.json.status, 'unknown');
    assert.equal(r.json.schedulers.length, 0);
    assert.match(r.json.problems[0].problem, /^key sch:bad:repeat is a string, expected a zset/);
    assert.equal(r.json.problems.length, 1);
  });

  test('a missing scheduler hash is a problem; the others are still listed', async () => {
    const q = await newQueue('orphan');
    await q.upsertJobScheduler('kept', { every: 5 * MIN }, { name: 'k' });
    await redis.cli('ZADD', `${PREFIX}:orphan:repeat`, String(Date.now() + MIN), 'ghost');
    const r = await schedulers('orphan');
    assertCode(args('orphan'), r, 2);  // ghost has no job either: broken beats unknown
    assert.ok(byId(r.json, 'kept'));
    assert.ok(r.json.problems.some((p) => /ghost has no hash/.test(p.problem)), JSON.stringify(r.json.problems));
  });

  test('a missing queue: not found, exit 2, the same as queue inspect', async () => {
    const r = await run([...args('nosuch'), '-o', 'json']);
    assertCode(args('nosuch'), r, 2);
    assert.match(r.stderr, /queue 'nosuch' not found under prefix 'sch'/);
    const inspect = await run(['queue', 'inspect', 'nosuch', '--redis', redis.url, '--prefix', PREFIX, '-o', 'json']);
    assert.equal(r.code, inspect.code);
    assert.equal(r.stderr, inspect.stderr);
    assert.equal(r.stdout, inspect.stdout);
  });
});
