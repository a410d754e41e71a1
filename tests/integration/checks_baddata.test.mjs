// Bad data under the time-aware checks: garbage timestamps, keys of the wrong type among the keys
// the checks read (metrics, limiter, repeat), ids without hashes. Each is reported or skipped, the
// command finishes with a clear status, and nothing is changed.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertCode, runJson, seedJob, seedMeta } from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const redis = useRedis();
const NOW = Date.now();
const inspect = (q) => ['queue', 'inspect', q, '-o', 'json', '--redis', redis.url];

setup(async () => {
  // garbage: timestamps that are not numbers, an active id without a hash, a completed id without one.
  await seedMeta(redis, 'garbage');
  await seedJob(redis, 'garbage', 1, { name: 'x', data: '{}', opts: '{}', timestamp: 'yesterday', processedOn: 'soon', atm: 0 });
  await redis.cli('LPUSH', 'bull:garbage:active', '1', 'ghost');
  await seedJob(redis, 'garbage', 2, { name: 'x', data: '{}', opts: '{}', timestamp: NOW, processedOn: 'n/a', finishedOn: 'n/a' });
  await redis.cli('ZADD', 'bull:garbage:completed', String(NOW - 1000), '2');
  await redis.cli('ZADD', 'bull:garbage:completed', String(NOW - 2000), 'gone');
  await seedJob(redis, 'garbage', 3, { name: 'x', data: '{}', opts: '{}', timestamp: 'never' });
  await redis.cli('LPUSH', 'bull:garbage:wait', '3');
  // wrong types among the keys the checks read
  for (const [q, key, cmd] of [['m', 'metrics:completed', ['SET', 'x']], ['l', 'limiter', ['HSET', 'f', 'v']],
    ['r', 'repeat', ['LPUSH', 'x']]]) {
    await seedMeta(redis, q);
    await redis.cli(cmd[0], `bull:${q}:${key}`, ...cmd.slice(1));
  }
});

describe('bad data under the time-aware checks', () => {
  test('garbage timestamps and ids without hashes are skipped, the checks still judge', async () => {
    const before = await redis.cli('DBSIZE');
    const r = await runJson(inspect('garbage'));
    assertCode(inspect('garbage'), r, 1);  // two active jobs without a lock: stalled
    assert.equal(r.json.status, 'warning');
    assert.equal(r.json.counts.active, 2);
    assert.deepEqual(r.json.stalled.sample_ids.sort(), ['1', 'ghost']);
    assert.equal(r.json.processing_ms.samples, 0, 'no usable processedOn among the completed jobs');
    assert.equal(r.json.oldest_waiting.id, '3');
    assert.equal(r.json.oldest_waiting.age_ms, null);
    assert.deepEqual(r.json.long_active, []);
    assert.equal(await redis.cli('DBSIZE'), before, 'nothing written');
  });

  for (const [q, key, type] of [['m', 'metrics:completed', 'string'], ['l', 'limiter', 'hash'], ['r', 'repeat', 'list']]) {
    test(`a ${key} key of type ${type}: unknown (exit 3), the key named`, async () => {
      const r = await runJson(inspect(q));
      assertCode(inspect(q), r, 3);
      assert.equal(r.json.status, 'unknown');
      assert.ok(r.json.problems.some((p) => p.key === `bull:${q}:${key}` && p.problem.includes(`is a ${type}`)),
        JSON.stringify(r.json.problems));
      assert.ok(r.json.checks.length > 5, 'the other checks still ran');
    });
  }

  test('queue list goes on past the bad queues and names them', async () => {
    const args = ['queue', 'list', '-o', 'json', '--redis', redis.url];
    const r = await runJson(args);
    assertCode(args, r, 3);
    const by = Object.fromEntries(r.json.queues.map((x) => [x.queue, x.status]));
    assert.deepEqual(by, { garbage: 'warning', l: 'unknown', m: 'unknown', r: 'unknown' });
  });
});
