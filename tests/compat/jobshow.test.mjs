// job show against jobs the real BullMQ processed: failed (twice), completed, delayed, prioritized.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { Job, Queue, Worker } from 'bullmq';

import { assertCode, lines, run, runJson, startRedis, waitFor } from '../lib/harness.mjs';

const PREFIX = 'js';
const Q = 'mails';
let redis;
let connection;
let queue;
let worker;
const ids = {};

before(async () => {
  redis = await startRedis({ maxmemoryPolicy: 'noeviction' });
  connection = { host: redis.host, port: redis.port };
  queue = new Queue(Q, { connection, prefix: PREFIX });
  ids.failed = (await queue.add('send', { to: 'a@b', kind: 'fail' }, { attempts: 2 })).id;
  ids.completed = (await queue.add('send', { to: 'c@d', kind: 'ok' }, { attempts: 3 })).id;
  worker = new Worker(Q, async (job) => {
    await job.log('x');
    if (job.data.kind === 'fail') throw new Error(`kaboom on attempt ${job.attemptsMade + 1}`);
    await job.updateProgress({ pct: 100 });
    return { ok: true, n: 42, to: job.data.to };
  }, { connection, prefix: PREFIX });
  await waitFor(async () => (await queue.getJobState(ids.failed)) === 'failed' &&
    (await queue.getJobState(ids.completed)) === 'completed', { what: 'jobs finished' });
  await worker.close();
  ids.delayed = (await queue.add('later', { when: 'soon' }, { delay: 3600_000 })).id;
  ids.prioritized = (await queue.add('vip', {}, { priority: 7 })).id;
  ids.waiting = (await queue.add('plain', { n: 1 })).id;
});

after(async () => {
  await worker?.close();
  await queue?.close();
  await redis?.stop();
});

async function show(id) {
  const args = ['job', 'show', Q, id, '-o', 'json', '--redis', redis.url, '--prefix', PREFIX];
  const r = await runJson(args);
  assertCode(args, r, 0);
  assert.equal(r.json.id, id);
  assert.equal(r.json.queue, Q);
  assert.equal(r.json.prefix, PREFIX);
  assert.deepEqual(r.json.problems, [], JSON.stringify(r.json.problems));
  return r.json;
}

// ISO 8601 string whose instant is the BullMQ epoch-ms value (or both absent).
function sameInstant(iso, ms, field) {
  if (ms === undefined || ms === null) {
    assert.equal(iso, null, field);
    return;
  }
  assert.equal(typeof iso, 'string', `${field} should be an ISO string`);
  assert.match(iso, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/, field);
  assert.equal(Date.parse(iso), ms, field);
}

describe('job show vs BullMQ', () => {
  test('a job that failed twice', async () => {
    const job = await Job.fromId(queue, ids.failed);
    const j = await show(ids.failed);
    assert.equal(j.state, 'failed');
    assert.equal(j.state, await job.getState());
    assert.equal(j.name, 'send');
    assert.deepEqual(j.data, job.data);
    assert.equal(j.opts.attempts, 2);
    assert.equal(j.attempts_made, 2);
    assert.equal(j.attempts_made, job.attemptsMade);
    assert.equal(j.attempts_started, job.attemptsStarted);
    assert.equal(j.failed_reason, 'kaboom on attempt 2');
    assert.equal(j.failed_reason, job.failedReason);
    assert.ok(Array.isArray(j.stacktrace) && j.stacktrace.length > 0, 'stacktrace');
    assert.deepEqual(j.stacktrace, job.stacktrace);
    assert.match(j.stacktrace[0], /kaboom/);
    const { logs } = await queue.getJobLogs(ids.failed);
    assert.deepEqual(logs, ['x', 'x']);
    assert.deepEqual(j.logs, logs);
    sameInstant(j.timestamp, job.timestamp, 'timestamp');
    sameInstant(j.processed_on, job.processedOn, 'processed_on');
    sameInstant(j.finished_on, job.finishedOn, 'finished_on');
    assert.equal(j.returnvalue, null);
  });

  test('a completed job shows its returnvalue and progress', async () => {
    const job = await Job.fromId(queue, ids.completed);
    const j = await show(ids.completed);
    assert.equal(j.state, 'completed');
    assert.deepEqual(j.returnvalue, { ok: true, n: 42, to: 'c@d' });
    assert.deepEqual(j.returnvalue, job.returnvalue);
    assert.deepEqual(j.progress, { pct: 100 });
    assert.equal(j.attempts_made, job.attemptsMade);
    assert.equal(j.failed_reason, null);
    assert.deepEqual(j.stacktrace, []);
    assert.deepEqual(j.logs, ['x']);
    sameInstant(j.finished_on, job.finishedOn, 'finished_on');
  });

  test('a delayed job', async () => {
    const job = await Job.fromId(queue, ids.delayed);
    const j = await show(ids.delayed);
    assert.equal(j.state, 'delayed');
    assert.equal(j.state, await job.getState());
    assert.equal(j.delay, 3600_000);
    assert.equal(j.delay, job.delay);
    sameInstant(j.processed_on, undefined, 'processed_on');
    sameInstant(j.finished_on, undefined, 'finished_on');
    assert.deepEqual(j.data, { when: 'soon' });
  });

  test('a prioritized and a waiting job', async () => {
    const p = await show(ids.prioritized);
    assert.equal(p.state, 'prioritized');
    assert.equal(p.state, await queue.getJobState(ids.prioritized));
    assert.equal(p.priority, 7);
    const w = await show(ids.waiting);
    assert.equal(w.state, 'waiting');
    assert.equal(w.state, await queue.getJobState(ids.waiting));
    assert.equal(w.attempts_made, 0);
    assert.deepEqual(w.logs, []);
  });

  test('an unknown id: exit 2, "not found" naming id and queue', async () => {
    const args = ['job', 'show', Q, '999999', '--redis', redis.url, '--prefix', PREFIX];
    const r = await run(args);
    assertCode(args, r, 2);
    const l = lines(r.stderr);
    assert.equal(l.length, 1, r.stderr);
    assert.match(l[0], /^opsctl: .*not found/i);
    assert.ok(l[0].includes('999999') && l[0].includes(Q), l[0]);
    assert.equal(r.stdout, '');
  });

  test('the text view shows the failed reason and the logs', async () => {
    const args = ['job', 'show', Q, ids.failed, '--redis', redis.url, '--prefix', PREFIX];
    const r = await run(args);
    assertCode(args, r, 0);
    assert.match(r.stdout, /kaboom on attempt 2/);
    assert.match(r.stdout, /failed/);
  });
});
