// job retry against BullMQ's Job.retry on twin queues (differential dumps: plain, prioritized, lifo,
// completed, flow children, --reset-attempts, paused), per-id outcomes (not found, refused with the
// state, not a hash), dry run, the confirmation and read_only guards, and the audit line.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { Job } from 'bullmq';
import * as bullmq5 from 'bullmq5';

import { dumpQueue } from '../lib/dump.mjs';
import { assertCode, run, runJson, tempDir } from '../lib/harness.mjs';
import { useRedis } from '../lib/servers.mjs';
import { assertTwins, buildQueue } from './retry-fixture.mjs';

const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const io = redis.io;
const queues = redis.closers;

const opsctl = (prefix, ...args) => runJson([...args, '-o', 'json', '--redis', redis.url, '--prefix', prefix]);

// ids 1..8 in this order; n is the job id.
const JOBS = [
  { name: 'mail', data: { n: 1, fail: 'SMTP 421' }, opts: { attempts: 1 } },
  { name: 'mail', data: { n: 2 } },
  { name: 'sms', data: { n: 3, fail: 'gateway timeout' }, opts: { attempts: 1, priority: 5 } },
  { name: 'mail', data: { n: 4, fail: 'SMTP 550' }, opts: { attempts: 2 } },
  { name: 'sms', data: { n: 5, fail: 'gateway timeout' }, opts: { attempts: 1, lifo: true } },
  { name: 'mail', data: { n: 6 }, opts: { priority: 2 } },
  { name: 'sms', data: { n: 7, fail: 'gateway timeout' }, opts: { attempts: 1, priority: 1 } },
  { name: 'report', data: { n: 8 }, opts: { lifo: true } },
];

async function twins(prefix, lib) {
  await buildQueue(redis, prefix, 'twina', JOBS, { flow: true, opened: queues, lib });
  const b = await buildQueue(redis, prefix, 'twinb', JOBS, { flow: true, opened: queues, lib });
  await assertTwins(io, prefix, 'twina', 'twinb', 'twins differ before the retry (fixture)');
  return b;
}

// Job.retry(state) on each id in order, the state read first as an operator would. JobClass: the
// Job of the BullMQ that built the queue.
async function retryEach(queue, ids, opts = {}, JobClass = Job) {
  for (const id of ids) {
    const job = await JobClass.fromId(queue, id);
    await job.retry(await job.getState(), opts);
  }
}

function resultsById(json) {
  return Object.fromEntries(json.results.map((r) => [r.id, r]));
}

describe('job retry vs Job.retry (differential)', () => {
  test('failed and completed; plain, prioritized, lifo, flow children: zero differences', async () => {
    const P = 'jd';
    const b = await twins(P);
    const ids = ['3', '1', '5', '6', '8', 'flow-bad', '7', 'flow-ok', '2'];
    const states = await Promise.all(ids.map((id) => b.getJobState(id)));
    assert.ok(states.every((s) => s === 'failed' || s === 'completed'), `fixture states: ${states}`);
    const args = ['job', 'retry', 'twina', ...ids, '--yes'];
    const r = await opsctl(P, ...args);
    assertCode(args, r, 0);
    assert.equal(r.json.action, 'job.retry');
    assert.deepEqual([r.json.matched, r.json.changed], [ids.length, ids.length]);
    assert.deepEqual(r.json.results.map((x) => [x.id, x.result]), ids.map((id) => [id, 'retried']));
    await retryEach(b, ids);
    await assertTwins(io, P, 'twina', 'twinb', 'after job retry');
    // What the comparison rests on: the prioritized jobs are back in prioritized with fresh
    // counters, the lifo job at the head of wait, one waiting event per job with its state.
    const prio = await io.zrange(`${P}:twina:prioritized`, 0, -1, 'WITHSCORES');
    assert.deepEqual(prio.filter((_, i) => i % 2 === 0), ['7', '6', '3']);
    assert.equal((await io.lrange(`${P}:twina:wait`, -1, -1))[0], '8', 'lifo job runs next');
    const events = (await io.xrange(`${P}:twina:events`, '-', '+')).map(([, f]) => `${f[3]}:${f[5]}`);
    assert.deepEqual(events, ids.map((id, i) => `${id}:${states[i]}`));
  });

  test('--reset-attempts equals Job.retry with both reset flags; a paused queue gets no marker', async () => {
    const P = 'jr';
    const b = await twins(P);
    for (const name of ['twina', 'twinb']) await io.hset(`${P}:${name}:meta`, 'paused', '1');
    const ids = ['4', '1', '7'];
    const r = await opsctl(P, 'job', 'retry', 'twina', ...ids, '--reset-attempts', '--yes');
    assertCode(['job', 'retry'], r, 0);
    await retryEach(b, ids, { resetAttemptsMade: true, resetAttemptsStarted: true });
    await assertTwins(io, P, 'twina', 'twinb', '--reset-attempts on a paused queue');
    assert.equal(await io.exists(`${P}:twina:marker`), 0);
    assert.equal(await io.hexists(`${P}:twina:4`, 'atm'), 0);
  });
});

describe('job retry on a BullMQ 5 queue vs its own Job.retry (differential)', () => {
  test('priority ignored as BullMQ 5 ignores it: every job back to wait, none to prioritized', async () => {
    const P = 'j5';
    const b = await twins(P, bullmq5);
    assert.match(await io.hget(`${P}:twina:meta`, 'version'), /^bullmq:5\./, 'fixture: a BullMQ 5 queue');
    const ids = ['3', '1', '5', '6', '8', 'flow-bad', '7', 'flow-ok', '2'];
    const r = await opsctl(P, 'job', 'retry', 'twina', ...ids, '--yes');
    assertCode(['job', 'retry'], r, 0);
    assert.equal(r.json.changed, ids.length);
    await retryEach(b, ids, {}, bullmq5.Job);
    await assertTwins(io, P, 'twina', 'twinb', 'BullMQ 5: after job retry');
    assert.equal(await io.exists(`${P}:twina:prioritized`), 0);
    assert.equal((await io.lrange(`${P}:twina:wait`, -1, -1))[0], '8', 'lifo job runs next');
    assert.equal(await io.llen(`${P}:twina:wait`), ids.length);
  });

  test('a paused BullMQ 5 queue: into its paused list, priority ignored, no marker', async () => {
    const P = 'j5p';
    const b = await twins(P, bullmq5);
    for (const name of ['twina', 'twinb']) await io.hset(`${P}:${name}:meta`, 'paused', '1');
    const ids = ['4', '1', '7'];
    const r = await opsctl(P, 'job', 'retry', 'twina', ...ids, '--yes');
    assertCode(['job', 'retry'], r, 0);
    await retryEach(b, ids, {}, bullmq5.Job);
    await assertTwins(io, P, 'twina', 'twinb', 'BullMQ 5: job retry on a paused queue');
    assert.deepEqual(await io.lrange(`${P}:twina:paused`, 0, -1), ['7', '1', '4']);
    assert.equal(await io.exists(`${P}:twina:marker`), 0);
  });
});

describe('job retry per-id outcomes', () => {
  const P = 'jo';
  let a;
  let ids;
  test('setup', async () => {
    a = await buildQueue(redis, P, 'q', JOBS, { opened: queues });
    ids = {
      waiting: (await a.add('later', {})).id,
      delayed: (await a.add('later', {}, { delay: 3600_000 })).id,
      prioritized: (await a.add('later', {}, { priority: 4 })).id,
    };
    await io.set(`${P}:q:notahash`, 'x');
    await io.zadd(`${P}:q:failed`, Date.now(), 'notahash');
  });

  test('--dry-run: what would happen to each id, nothing changed', async () => {
    const before = await dumpQueue(io, P, 'q');
    const args = ['job', 'retry', 'q', '1', '2', 'nosuch', ids.waiting, ids.delayed, 'notahash', '1', '--dry-run'];
    const r = await opsctl(P, ...args);
    assertCode(args, r, 0);
    assert.deepEqual([r.json.dry_run, r.json.matched, r.json.changed], [true, 2, 0]);
    const res = resultsById(r.json);
    assert.equal(r.json.results.length, 6, 'duplicate id reported once');
    assert.equal(res['1'].result, 'would retry');
    assert.equal(res['2'].result, 'would retry');
    assert.deepEqual(res.nosuch, { id: 'nosuch', result: 'not found', reason: 'no job hash' });
    assert.deepEqual(res[ids.waiting], { id: ids.waiting, result: 'refused', reason: 'not in failed/completed (state waiting)' });
    assert.equal(res[ids.delayed].reason, 'not in failed/completed (state delayed)');
    assert.equal(res.notahash.result, 'skipped');
    assert.deepEqual(await dumpQueue(io, P, 'q'), before);
  });

  test('one bad id never stops the others; exit 2 when any id was not retried', async () => {
    const args = ['job', 'retry', 'q', 'nosuch', ids.prioritized, '1', 'notahash', '2', '--yes'];
    const r = await opsctl(P, ...args);
    assertCode(args, r, 2);
    const res = resultsById(r.json);
    assert.equal(res['1'].result, 'retried');
    assert.equal(res['2'].result, 'retried');
    assert.equal(res.nosuch.result, 'not found');
    assert.equal(res[ids.prioritized].reason, 'not in failed/completed (state prioritized)');
    assert.match(res.notahash.reason, /not a hash/);
    assert.deepEqual([r.json.matched, r.json.changed], [2, 2]);
    assert.equal(await a.getJobState('1'), 'waiting');
    assert.equal(await a.getJobState('2'), 'waiting');
    assert.equal(await io.get(`${P}:q:notahash`), 'x');
    // Again: both are now waiting, so refused, and nothing moves.
    const again = await opsctl(P, 'job', 'retry', 'q', '1', '--yes');
    assertCode(['job', 'retry', 'again'], again, 2);
    assert.equal(again.json.results[0].reason, 'not in failed/completed (state waiting)');
  });

  test('a key the script writes has the wrong type (pc): nothing changed, exit 2 naming the key', async () => {
    const pc = await io.get(`${P}:q:pc`);
    await io.del(`${P}:q:pc`);
    await io.rpush(`${P}:q:pc`, 'garbage');
    const before = await dumpQueue(io, P, 'q');
    const args = ['job', 'retry', 'q', '3', '--yes', '--redis', redis.url, '--prefix', P];
    const r = await run(args);
    assertCode(args, r, 2);
    assert.match(r.stderr, new RegExp(`${P}:q:pc is a list, expected a string; nothing was changed`));
    assert.deepEqual(await dumpQueue(io, P, 'q'), before);
    await io.del(`${P}:q:pc`);
    await io.set(`${P}:q:pc`, pc);
  });

  test('without --yes and without a TTY: exit 4; read_only context: exit 4; nothing changed', async () => {
    const before = await dumpQueue(io, P, 'q');
    const args = ['job', 'retry', 'q', '4', '--redis', redis.url, '--prefix', P];
    const r = await run(args);
    assertCode(args, r, 4);
    const dir = tempDir('ro');
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, ['current-context: ro', 'contexts:', '  - name: ro', `    redis: ${redis.url}`,
      `    prefix: ${P}`, '    read_only: true', ''].join('\n'));
    const ro = ['job', 'retry', 'q', '4', '--yes', '--config', config];
    const r2 = await run(ro);
    assertCode(ro, r2, 4);
    assert.deepEqual(await dumpQueue(io, P, 'q'), before);
  });

  test('audit: one line per run with action job.retry', async () => {
    const log = path.join(tempDir('audit'), 'audit.jsonl');
    const args = ['job', 'retry', 'q', '4', '--yes', '--audit-log', log];
    const r = await opsctl(P, ...args);
    assertCode(args, r, 0);
    const recs = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(recs.length, 1);
    assert.deepEqual([recs[0].action, recs[0].matched, recs[0].changed, recs[0].dry_run, recs[0].result],
      ['job.retry', 1, 1, false, 'ok']);
    assert.match(recs[0].command_line, /job retry q 4/);
  });
});
