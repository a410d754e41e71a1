// queue retry --since and queue clear --since: only the jobs that finished within a window, by the
// finishedOn score of the failed/completed zset. Jobs are run by the real BullMQ (Queue + Worker),
// then their finishedOn (field and score) is moved into the past: a long retained history and a
// recent spike. Checked on the keys, against a live Worker, with exact before/after dumps for the
// dry runs, and on the cost (a score range, not a scan of the set).
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';

import { Queue, Worker } from 'bullmq';

import { dumpQueue } from '../lib/dump.mjs';
import { assertCode, run, tempDir, waitFor } from '../lib/harness.mjs';
import { useRedis } from '../lib/servers.mjs';
import { auditLines, mutate } from '../lib/state_helpers.mjs';
import { seedFailed } from './retry-fixture.mjs';

const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const io = redis.io;
const closers = redis.closers;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

// Ages of the fixture: `old` jobs finished two days ago, `hour` one hour ago, `recent` five minutes
// ago. Recent job k is named 'sms' when k < 3, else 'mail'; every other job is 'sms'.
const SHAPE = { old: 300, hour: 5, recent: 7 };

// Runs old + hour + recent jobs through a real Worker into `state` (failed or completed), then
// moves their finishedOn (hash field and zset score) into the past. Returns the ids of each age,
// oldest first.
async function buildSpike(prefix, name, state = 'failed') {
  const total = SHAPE.old + SHAPE.hour + SHAPE.recent;
  const q = new Queue(name, { connection: redis.connection, prefix });
  closers.push(q);
  await q.addBulk(Array.from({ length: total }, (_, i) => ({
    name: i >= SHAPE.old + SHAPE.hour && i - SHAPE.old - SHAPE.hour >= 3 ? 'mail' : 'sms',
    data: { i },
    opts: { attempts: 1, jobId: `j${i}` },
  })));
  const worker = new Worker(name, async (job) => {
    if (state === 'failed') throw new Error(`gateway timeout ${job.data.i}`);
    return { ok: job.data.i };
  }, { connection: redis.connection, prefix, concurrency: 50 });
  try {
    await waitFor(async () => (await q.getJobCountByTypes(state)) === total, { what: `${total} ${state}` });
  } finally {
    await worker.close();
  }
  const now = Date.now();
  const ids = { old: [], hour: [], recent: [] };
  const pipe = io.pipeline();
  for (let i = 0; i < total; i++) {
    const age = i < SHAPE.old ? 'old' : i < SHAPE.old + SHAPE.hour ? 'hour' : 'recent';
    const at = { old: now - 2 * DAY, hour: now - 60 * MINUTE, recent: now - 5 * MINUTE }[age] + i;
    const id = `j${i}`;
    ids[age].push(id);
    pipe.zadd(`${prefix}:${name}:${state}`, at, id);
    pipe.hset(`${prefix}:${name}:${id}`, 'finishedOn', at, 'processedOn', at - 10);
  }
  await pipe.exec();
  assert.equal(await io.zcard(`${prefix}:${name}:${state}`), total, 'fixture');
  return { queue: q, ids };
}

const members = (key) => io.zrange(key, 0, -1);
const sorted = (a) => [...a].sort();

// The `waiting` events with prev=<state> written after stream id `from`.
async function waitingEvents(prefix, name, from, state = 'failed') {
  const entries = await io.xrange(`${prefix}:${name}:events`, `(${from}`, '+');
  return entries.map(([, f]) => Object.fromEntries(Array.from({ length: f.length / 2 }, (_, k) => [f[2 * k], f[2 * k + 1]])))
    .filter((e) => e.event === 'waiting' && e.prev === state).map((e) => e.jobId);
}

async function lastEventId(prefix, name) {
  const [last] = await io.xrevrange(`${prefix}:${name}:events`, '+', '-', 'COUNT', 1);
  return last ? last[0] : '0-0';
}

// An exact dump (times not masked) of every key of the queue.
const exactDump = (prefix, name) => dumpQueue(io, prefix, name, { maskTimes: false });

describe('queue retry --since', () => {
  test('--since 15m retries exactly the 7 recent failures; a live Worker then runs exactly those', async () => {
    const P = 'rs';
    const { queue, ids } = await buildSpike(P, 'emails');
    const from = await lastEventId(P, 'emails');
    const r = await mutate(redis, P, ['queue', 'retry', 'emails', '--since', '15m']);
    assert.deepEqual([r.matched, r.changed, r.dry_run], [7, 7, false]);
    assert.deepEqual(r.ids, ids.recent);
    assert.deepEqual(r.problems, []);

    assert.deepEqual(sorted(await members(`${P}:emails:failed`)), sorted([...ids.old, ...ids.hour]));
    assert.deepEqual(sorted(await io.lrange(`${P}:emails:wait`, 0, -1)), sorted(ids.recent));
    for (const id of ids.recent) {
      const h = await io.hgetall(`${P}:emails:${id}`);
      for (const gone of ['finishedOn', 'processedOn', 'failedReason']) assert.ok(!(gone in h), `${id} kept ${gone}`);
      assert.equal(h.atm, '1', `${id}: attempts are kept, as retryJobs keeps them`);
    }
    for (const id of [ids.old[0], ids.old[299], ...ids.hour]) {
      const h = await io.hgetall(`${P}:emails:${id}`);
      assert.ok('finishedOn' in h && 'failedReason' in h, `${id} was touched`);
    }
    assert.deepEqual(sorted(await waitingEvents(P, 'emails', from)), sorted(ids.recent));

    const ran = [];
    const worker = new Worker('emails', async (job) => { ran.push(job.id); return 'ok'; },
      { connection: redis.connection, prefix: P, concurrency: 5 });
    closers.push(worker);
    await waitFor(async () => (await queue.getJobCountByTypes('completed')) === 7, { what: '7 completed' });
    await worker.close();
    assert.deepEqual(sorted(ran), sorted(ids.recent));
    assert.deepEqual(sorted(await members(`${P}:emails:completed`)), sorted(ids.recent));
    assert.equal(await io.zcard(`${P}:emails:failed`), SHAPE.old + SHAPE.hour);
  });

  test('the --dry-run twin changes no key, names the window, and audits it', async () => {
    const P = 'rd';
    const { ids } = await buildSpike(P, 'emails');
    const log = path.join(tempDir('since-audit'), 'audit.jsonl');
    const beforeDump = await exactDump(P, 'emails');
    const j = await mutate(redis, P, ['queue', 'retry', 'emails', '--since', '15m', '--dry-run'],
      { yes: false, extra: ['--audit-log', log] });
    assert.deepEqual([j.matched, j.changed, j.dry_run], [7, 0, true]);
    assert.deepEqual(j.ids, ids.recent);
    const text = ['queue', 'retry', 'emails', '--since', '15m', '--dry-run', '--redis', redis.url, '--prefix', P,
      '--audit-log', log];
    const t = await run(text);
    assertCode(text, t, 0);
    assert.match(t.stdout, /Dry run: would retry 7 failed jobs finished within 15m in /);
    // --name takes the filtered path (ids checked against the window inside the script).
    const named = await mutate(redis, P, ['queue', 'retry', 'emails', '--since', '15m', '--name', 'sms', '--dry-run'],
      { yes: false, extra: ['--audit-log', log] });
    assert.deepEqual([named.matched, named.ids], [3, ids.recent.slice(0, 3)]);
    assert.deepEqual(await exactDump(P, 'emails'), beforeDump, 'a dry run changed a key');
    const lines = auditLines(log);
    assert.equal(lines.length, 3);
    for (const l of lines) {
      assert.equal(l.dry_run, true);
      assert.equal(l.selection, 'failed jobs finished within 15m');
    }
    assert.deepEqual(lines.map((l) => l.matched), [7, 7, 3]);
  });

  test('--name, --reason and --limit combine with --since', async () => {
    const P = 'rf';
    const { ids } = await buildSpike(P, 'emails');
    const named = await mutate(redis, P, ['queue', 'retry', 'emails', '--since', '15m', '--name', 'sms']);
    assert.deepEqual([named.matched, named.changed], [3, 3]);
    assert.deepEqual(sorted(await io.lrange(`${P}:emails:wait`, 0, -1)), sorted(ids.recent.slice(0, 3)));
    const reason = await mutate(redis, P, ['queue', 'retry', 'emails', '--since', '15m', '--reason', `timeout ${SHAPE.old + SHAPE.hour + 5}$`]);
    assert.deepEqual(reason.ids, [ids.recent[5]]);
    const limited = await mutate(redis, P, ['queue', 'retry', 'emails', '--since', '15m', '--limit', '2']);
    assert.deepEqual(limited.ids, [ids.recent[3], ids.recent[4]], 'oldest finished first');
    const rest = await mutate(redis, P, ['queue', 'retry', 'emails', '--since', '15m']);
    assert.deepEqual(rest.ids, [ids.recent[6]]);
    assert.equal(await io.zcard(`${P}:emails:failed`), SHAPE.old + SHAPE.hour);
  });

  test('--since 2h --older-than 30m: the window between them, the 5 of an hour ago', async () => {
    const P = 'rw';
    const { ids } = await buildSpike(P, 'emails');
    const dry = ['queue', 'retry', 'emails', '--since', '2h', '--older-than', '30m', '--dry-run', '--redis', redis.url,
      '--prefix', P];
    const t = await run(dry);
    assertCode(dry, t, 0);
    assert.match(t.stdout, /would retry 5 failed jobs finished between 2h and 30m ago/);
    const r = await mutate(redis, P, ['queue', 'retry', 'emails', '--since', '2h', '--older-than', '30m']);
    assert.deepEqual(r.ids, ids.hour);
    assert.deepEqual(sorted(await members(`${P}:emails:failed`)), sorted([...ids.old, ...ids.recent]));
  });

  test('--state completed --since retries only the recent completed jobs', async () => {
    const P = 'rc';
    const { ids } = await buildSpike(P, 'reports', 'completed');
    const r = await mutate(redis, P, ['queue', 'retry', 'reports', '--state', 'completed', '--since', '15m']);
    assert.deepEqual(r.ids, ids.recent);
    assert.deepEqual(sorted(await io.lrange(`${P}:reports:wait`, 0, -1)), sorted(ids.recent));
    assert.equal(await io.hexists(`${P}:reports:${ids.recent[0]}`, 'returnvalue'), 0);
    assert.equal(await io.hexists(`${P}:reports:${ids.hour[0]}`, 'returnvalue'), 1);
  });
});

describe('queue clear --since', () => {
  test('--state completed --since 10m removes only the recent jobs, hashes and all', async () => {
    const P = 'cs';
    const { ids } = await buildSpike(P, 'reports', 'completed');
    const beforeDump = await exactDump(P, 'reports');
    const dry = await mutate(redis, P, ['queue', 'clear', 'reports', '--state', 'completed', '--since', '10m',
      '--dry-run'], { yes: false });
    assert.deepEqual([dry.matched, dry.changed], [7, 0]);
    assert.deepEqual(sorted(dry.ids), sorted(ids.recent));
    assert.deepEqual(await exactDump(P, 'reports'), beforeDump, 'the dry run changed a key');

    const r = await mutate(redis, P, ['queue', 'clear', 'reports', '--state', 'completed', '--since', '10m']);
    assert.deepEqual([r.matched, r.changed], [7, 7]);
    assert.deepEqual(sorted(r.ids), sorted(ids.recent));
    assert.deepEqual(sorted(await members(`${P}:reports:completed`)), sorted([...ids.old, ...ids.hour]));
    for (const id of ids.recent) assert.equal(await io.exists(`${P}:reports:${id}`), 0, `${id} hash left`);
    for (const id of [ids.old[0], ids.old[299], ...ids.hour]) {
      assert.equal(await io.exists(`${P}:reports:${id}`), 1, `${id} removed`);
    }
  });

  test('--state failed --since 2h --older-than 30m removes the window only; --limit caps it oldest first', async () => {
    const P = 'cw';
    const { ids } = await buildSpike(P, 'emails');
    const text = ['queue', 'clear', 'emails', '--state', 'failed', '--since', '2h', '--older-than', '30m', '--limit',
      '2', '--yes', '--redis', redis.url, '--prefix', P];
    const t = await run(text);
    assertCode(text, t, 0);
    assert.match(t.stdout, /Done: remove 2 of 2 matched failed jobs finished between 2h and 30m ago/);
    assert.deepEqual(sorted(await members(`${P}:emails:failed`)),
      sorted([...ids.old, ...ids.hour.slice(2), ...ids.recent]));
    const r = await mutate(redis, P, ['queue', 'clear', 'emails', '--state', 'failed', '--since', '2h',
      '--older-than', '30m']);
    assert.deepEqual(sorted(r.ids), sorted(ids.hour.slice(2)));
    assert.deepEqual(sorted(await members(`${P}:emails:failed`)), sorted([...ids.old, ...ids.recent]));
  });
});

describe('cost: a score range, not a scan', () => {
  test('30 recent failures among 100,000: a call or two, 30 jobs touched', async () => {
    const P = 'big';
    await seedFailed(redis, P, 'q', 100_000);
    const recent = (await io.zrange(`${P}:q:failed`, -30, -1));
    const now = Date.now();
    for (const [i, id] of recent.entries()) {
      await io.zadd(`${P}:q:failed`, now - 1000 + i, id);
      await io.hset(`${P}:q:${id}`, 'finishedOn', now - 1000 + i);
    }
    // Everything else finished at least a minute ago (seedFailed).
    const stats = async () => {
      const info = await io.info('commandstats');
      const calls = (cmd) => Number((info.match(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`)) ?? [0, 0])[1]);
      return { evalsha: calls('evalsha') + calls('eval'), hdel: calls('hdel'), zrangebyscore: calls('zrangebyscore'),
        del: calls('del') };
    };
    await io.config('RESETSTAT');
    const r = await mutate(redis, P, ['queue', 'retry', 'q', '--since', '30s']);
    assert.deepEqual([r.matched, r.changed], [30, 30]);
    // Two script calls: retry keeps a second one in flight, which finds the window empty. Pages of
    // the whole set would take 400 calls of 250.
    const s = await stats();
    assert.ok(s.evalsha <= 2, JSON.stringify(s));
    assert.equal(s.hdel, 30, JSON.stringify(s));
    assert.ok(s.zrangebyscore <= 1 + s.evalsha, JSON.stringify(s));

    // The same 30 fail again, then clear them the same way.
    for (const [i, id] of recent.entries()) {
      await io.lrem(`${P}:q:wait`, 0, id);
      await io.zadd(`${P}:q:failed`, now - 1000 + i, id);
    }
    await io.config('RESETSTAT');
    const c = await mutate(redis, P, ['queue', 'clear', 'q', '--state', 'failed', '--since', '30s']);
    assert.deepEqual([c.matched, c.changed], [30, 30]);
    const s2 = await stats();
    assert.equal(s2.evalsha, 1, JSON.stringify(s2));
    assert.ok(s2.zrangebyscore <= 2, JSON.stringify(s2));
    assert.equal(await io.zcard(`${P}:q:failed`), 100_000 - 30);
  });
});

describe('usage errors (exit 64)', () => {
  const usage = async (args, pattern) => {
    const full = [...args, '--yes', '--redis', redis.url];
    const r = await run(full);
    assertCode(full, r, 64);
    if (pattern) assert.match(r.stderr, pattern);
  };

  test('a bad duration, in retry and clear', async () => {
    await usage(['queue', 'retry', 'q', '--since', '5 parsecs']);
    await usage(['queue', 'clear', 'q', '--state', 'failed', '--since', '15x']);
    await usage(['queue', 'retry', 'q', '--since', '0'], /--since/);
  });

  test('--since with a state that is not finished names the states that take it', async () => {
    for (const state of ['waiting', 'delayed', 'prioritized', 'active']) {
      await usage(['queue', 'clear', 'q', '--state', state, '--since', '10m'], /--since takes the finished states \(completed, failed\)/);
    }
  });

  test('--since not longer than --older-than names both flags', async () => {
    for (const cmd of [['queue', 'retry', 'q'], ['queue', 'clear', 'q', '--state', 'completed']]) {
      await usage([...cmd, '--since', '10m', '--older-than', '10m'], /--since.*--older-than/);
      await usage([...cmd, '--since', '5m', '--older-than', '1h'], /--since.*--older-than/);
    }
  });

  test('clear --all with --since', async () => {
    await usage(['queue', 'clear', 'q', '--all', '--since', '10m'], /--since/);
  });
});
