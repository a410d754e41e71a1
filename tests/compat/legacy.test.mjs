// Bull 3/4-style queues (raw keys as Bull writes them): layout "bull", legacy paused list, attemptsMade.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertCode, runJson } from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const NOW = Date.now();
const redis = useRedis({ maxmemoryPolicy: 'noeviction' });

async function bullJob(queue, id, extra = {}) {
  const fields = { name: '__default__', data: `{"id":${id}}`, opts: '{"attempts":3,"delay":0}', timestamp: NOW - 60_000 + id, delay: 0, priority: 0, attemptsMade: 0, ...extra };
  await redis.cli('HSET', `bull:${queue}:${id}`, ...Object.entries(fields).flat().map(String));
}

setup(async () => {
  // old: Bull 3, paused (wait renamed to paused, meta-paused set), every state used, no meta hash.
  await redis.cli('SET', 'bull:old:id', '9');
  await redis.cli('SET', 'bull:old:meta-paused', '1');
  for (const id of [1, 2, 3]) { await bullJob('old', id); await redis.cli('LPUSH', 'bull:old:paused', String(id)); }
  await bullJob('old', 4, { priority: 2, opts: '{"attempts":3,"priority":2}' });
  await redis.cli('LPUSH', 'bull:old:paused', '4');
  await redis.cli('ZADD', 'bull:old:priority', '2', '4');
  await bullJob('old', 5, { processedOn: NOW - 1000 });
  await redis.cli('LPUSH', 'bull:old:active', '5');
  for (const id of [6, 7]) {
    await bullJob('old', id, { processedOn: NOW - 2000, finishedOn: NOW - 1000, returnvalue: '"done"', attemptsMade: 1 });
    await redis.cli('ZADD', 'bull:old:completed', String(NOW - 1000 + id), String(id));
  }
  await bullJob('old', 8, { processedOn: NOW - 2000, finishedOn: NOW - 1500, failedReason: 'legacy boom', stacktrace: '["Error: legacy boom"]', attemptsMade: 3 });
  await redis.cli('ZADD', 'bull:old:failed', String(NOW - 1500), '8');
  await bullJob('old', 9, { delay: 3600_000 });
  await redis.cli('ZADD', 'bull:old:delayed', String((NOW + 3600_000) * 4096), '9');

  // old2: Bull 3, running, a priority zset (the prioritized job is in wait as well).
  await redis.cli('SET', 'bull:old2:id', '2');
  await bullJob('old2', 1);
  await bullJob('old2', 2, { priority: 5 });
  await redis.cli('LPUSH', 'bull:old2:wait', '1', '2');
  await redis.cli('ZADD', 'bull:old2:priority', '5', '2');

  // old3: the least Bull leaves behind: id, hashes, a wait list.
  await redis.cli('SET', 'bull:old3:id', '1');
  await bullJob('old3', 1);
  await redis.cli('LPUSH', 'bull:old3:wait', '1');

  // old4: Bull 4, paused: meta-paused plus meta.paused, jobs in the paused list.
  await redis.cli('SET', 'bull:old4:id', '2');
  await redis.cli('SET', 'bull:old4:meta-paused', '1');
  await redis.cli('HSET', 'bull:old4:meta', 'paused', '1');
  for (const id of [1, 2]) { await bullJob('old4', id); await redis.cli('LPUSH', 'bull:old4:paused', String(id)); }
});

async function inspect(q, ...extra) {
  const args = ['queue', 'inspect', q, '-o', 'json', '--redis', redis.url, ...extra];
  const r = await runJson(args);
  assert.notEqual(r.code, 3, `exit 3 on a Bull queue: ${r.stderr}\n${r.stdout}`);
  assert.ok([0, 1, 2].includes(r.code), `exit ${r.code}: ${r.stderr}`);
  assert.notEqual(r.json.status, 'unknown');
  return r.json;
}

describe('Bull 3/4 queues', () => {
  test('a paused Bull 3 queue: layout bull, paused, counts from the lists and zsets', async () => {
    const j = await inspect('old');
    assert.equal(j.layout, 'bull');
    assert.equal(j.version, null);
    assert.equal(j.paused, true);
    assert.deepEqual(j.counts, {
      active: 1, completed: 2, delayed: 1, failed: 1, paused: 4, prioritized: 0, waiting: 0, 'waiting-children': 0,
    });
    assert.equal(j.failures.length, 1);
    assert.equal(j.failures[0].reason, 'legacy boom');
    assert.equal(j.failures[0].count, 1);
    assert.deepEqual(j.failures[0].sample_ids, ['8']);
  });

  test('a running Bull 3 queue with a priority zset: no paused count', async () => {
    const j = await inspect('old2');
    assert.equal(j.layout, 'bull');
    assert.equal(j.paused, false);
    assert.ok(!('paused' in j.counts), JSON.stringify(j.counts));
    assert.equal(j.counts.waiting, 2);
    assert.equal(j.oldest_waiting.id, '1');
  });

  test('a bare Bull queue (id, hashes, wait) is Bull', async () => {
    const j = await inspect('old3');
    assert.equal(j.layout, 'bull');
    assert.equal(j.paused, false);
    assert.equal(j.counts.waiting, 1);
  });

  test('a paused Bull 4 queue (meta.paused and meta-paused)', async () => {
    const j = await inspect('old4');
    assert.equal(j.layout, 'bull');
    assert.equal(j.paused, true);
    assert.equal(j.counts.paused, 2);
    assert.equal(j.counts.waiting, 0);
  });

  test('--state failed reads attemptsMade of a Bull job', async () => {
    const j = await inspect('old', '--state', 'failed');
    assert.equal(j.jobs.length, 1);
    assert.equal(j.jobs[0].id, '8');
    assert.equal(j.jobs[0].attempts_made, 3);
    assert.equal(j.jobs[0].failed_reason, 'legacy boom');
    assert.deepEqual(j.jobs[0].problems, []);
  });

  test('job show on Bull jobs', async () => {
    const base = ['-o', 'json', '--redis', redis.url];
    const failed = await runJson(['job', 'show', 'old', '8', ...base]);
    assertCode(['job', 'show', 'old', '8'], failed, 0);
    assert.equal(failed.json.state, 'failed');
    assert.equal(failed.json.attempts_made, 3);
    assert.deepEqual(failed.json.stacktrace, ['Error: legacy boom']);
    assert.deepEqual(failed.json.problems, []);
    const done = await runJson(['job', 'show', 'old', '6', ...base]);
    assert.equal(done.json.state, 'completed');
    assert.equal(done.json.returnvalue, 'done');
    const paused = await runJson(['job', 'show', 'old', '1', ...base]);
    assertCode(['job', 'show', 'old', '1'], paused, 0);
    assert.ok(['waiting', 'paused'].includes(paused.json.state), paused.json.state);
    const delayed = await runJson(['job', 'show', 'old', '9', ...base]);
    assert.equal(delayed.json.state, 'delayed');
  });

  test('queue list finds the Bull queues', async () => {
    const args = ['queue', 'list', '-o', 'json', '--redis', redis.url];
    const r = await runJson(args);
    assertCode(args, r, 0);
    const byName = Object.fromEntries(r.json.queues.map((q) => [q.queue, q]));
    assert.deepEqual(Object.keys(byName).sort(), ['old', 'old2', 'old3', 'old4']);
    for (const q of Object.values(byName)) assert.equal(q.layout, 'bull');
    assert.equal(byName.old.paused, true);
    assert.equal(byName.old.counts.paused, 4);
    assert.equal(byName.old2.paused, false);
  });
});
