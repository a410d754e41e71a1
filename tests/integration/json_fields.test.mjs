// Documented JSON fields are always present (null when unknown), on jobs with missing fields too,
// and counters BullMQ reads as 0 when absent (atm, ats, stc) are 0, not null.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { seedFailed, seedWaiting } from '../lib/fixtures.mjs';
import { assertCode, runJson, seedMeta } from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const NOW = Date.now();
const P = 'jf';
const redis = useRedis();

setup(async () => {
  await seedMeta(redis, 'q', P);
  // 1: a bare failed job: no atm, ats, stc, opts, progress, returnvalue, processedOn.
  await seedFailed(redis, 'q', 1, { name: 'bare', data: '{}', timestamp: NOW - 5000, failedReason: 'boom', finishedOn: NOW - 1000 }, P);
  // 2: a waiting job with nothing but its data.
  await seedWaiting(redis, 'q', 2, { data: '{"x":1}' }, P);
  // 3: counters that are there but not numbers: unknown (null), with a problem.
  await seedWaiting(redis, 'q', 3, { name: 'odd', data: '{}', timestamp: NOW, atm: 'many', ats: 'x', stc: '?' }, P);
});

const R = () => [...redis.args(P), '-o', 'json'];

// job show's documented fields (opsctl(1), job show).
const JOB_FIELDS = ['queue', 'prefix', 'id', 'state', 'name', 'data', 'opts', 'attempts_made', 'attempts_started',
  'stalled_count', 'failed_reason', 'will_fail_reason', 'stacktrace', 'logs', 'log_count', 'timestamp',
  'processed_on', 'finished_on', 'progress', 'returnvalue', 'delay', 'priority', 'worker', 'parent_key',
  'lock_ttl_ms', 'problems'];

async function show(id) {
  const args = ['job', 'show', 'q', id, ...R()];
  const r = await runJson(args);
  assertCode(args, r, 0);
  for (const f of JOB_FIELDS) assert.ok(f in r.json, `job show: field ${f} missing: ${r.stdout}`);
  return r.json;
}

describe('job show', () => {
  test('a job without atm, ats or stc: every field present, the counters 0 as BullMQ reads them', async () => {
    const j = await show('1');
    assert.equal(j.state, 'failed');
    assert.equal(j.attempts_made, 0);
    assert.equal(j.attempts_started, 0);
    assert.equal(j.stalled_count, 0);
    assert.equal(j.processed_on, null);
    assert.equal(j.delay, null);
    assert.equal(j.worker, null);
  });

  test('a job with nothing but its data: every field present, unknown ones null', async () => {
    const j = await show('2');
    assert.equal(j.state, 'waiting');
    assert.equal(j.name, null);
    assert.equal(j.timestamp, null);
    assert.equal(j.failed_reason, null);
    assert.equal(j.attempts_made, 0);
  });

  test('counters that are not numbers are unknown: null, and a problem names each', async () => {
    const j = await show('3');
    assert.equal(j.attempts_started, null);
    assert.equal(j.stalled_count, null);
    const fields = j.problems.map((p) => p.field);
    for (const f of ['atm', 'ats', 'stc']) assert.ok(fields.includes(f), `no problem for ${f}: ${JSON.stringify(j.problems)}`);
  });
});

describe('queue inspect', () => {
  test('without --state, the listing fields state and jobs are absent (the man page says so)', async () => {
    const args = ['queue', 'inspect', 'q', ...R()];
    const r = await runJson(args);
    assert.ok(!('state' in r.json) && !('jobs' in r.json), r.stdout);
    assert.deepEqual(r.json.problems, []);
  });

  test('--state rows: every field present, attempts_made 0 where the hash has no atm', async () => {
    for (const [state, id] of [['failed', '1'], ['waiting', '2']]) {
      const args = ['queue', 'inspect', 'q', '--state', state, ...R()];
      const r = await runJson(args);
      assert.equal(r.json.state, state);
      const row = r.json.jobs.find((jb) => jb.id === id);
      assert.ok(row, r.stdout);
      for (const f of ['id', 'name', 'state', 'timestamp', 'finished_on', 'attempts_made', 'failed_reason', 'problems']) {
        assert.ok(f in row, `row field ${f} missing: ${JSON.stringify(row)}`);
      }
      assert.equal(row.attempts_made, 0);
    }
  });
});

describe('mutations', () => {
  const FIELDS = ['action', 'target', 'dry_run', 'matched', 'changed', 'ids', 'problems', 'results'];
  const verbs = [
    ['queue', 'retry', 'q'],
    ['queue', 'clear', 'q', '--state', 'completed'],
    ['queue', 'pause', 'q'],
    ['queue', 'resume', 'q'],
    ['queue', 'promote', 'q'],
    ['job', 'retry', 'q', '1'],
    ['job', 'remove', 'q', '2', 'nope'],
    ['job', 'promote', 'q', '1'],
    ['job', 'unstick', 'q'],
  ];
  for (const verb of verbs) {
    test(`${verb.slice(0, 2).join(' ')} --dry-run: every fixed field present`, async () => {
      const args = [...verb, ...R(), '--dry-run'];
      const r = await runJson(args);
      for (const f of FIELDS) assert.ok(f in r.json, `field ${f} missing: ${r.stdout}`);
      assert.ok(Array.isArray(r.json.results) && Array.isArray(r.json.ids) && Array.isArray(r.json.problems));
      if (verb[0] === 'job' && verb[1] !== 'unstick') assert.ok(r.json.results.length > 0, r.stdout);
    });
  }
});
