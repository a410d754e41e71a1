// Bad data in Redis is reported per job; opsctl never crashes and -o json stays one document.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertCode, assertExited, describeRun, run, runJson, seedJob, seedMeta } from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const NOW = Date.now();
const TWO_MB = 2 * 1024 * 1024;
const redis = useRedis();   // queue q with bad jobs
const broken = useRedis();  // queue q whose wait key is a string
const io = redis.io;

const good = (extra = {}) => ({ name: 'mail', data: '{"to":"a@b"}', opts: '{"attempts":1}', timestamp: NOW - 1000, atm: 0, ...extra });

setup(async () => {
  await seedMeta(redis, 'q');
  await redis.cli('SET', 'bull:q:id', '20');
  await seedJob(redis, 'q', 1, good());
  await seedJob(redis, 'q', 2, good({ data: 'not json {' }));
  await seedJob(redis, 'q', 3, good({ name: undefined }));
  await seedJob(redis, 'q', 4, good({ opts: '{{{garbage' }));
  await io.hset('bull:q:5', { ...good(), data: Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x1b, 0x5b, 0x33, 0x31, 0x6d]) });
  await io.hset('bull:q:6', { ...good(), data: 'x'.repeat(TWO_MB) });
  await io.hset('bull:q:9', { ...good(), data: JSON.stringify({ blob: 'y'.repeat(TWO_MB) }) });
  await seedJob(redis, 'q', 10, good({ timestamp: 'yesterday', atm: 'many' }));
  for (const id of [1, 2, 3, 4, 5, 6, 9, 10]) await redis.cli('LPUSH', 'bull:q:wait', String(id));
  // 7: in failed with no hash; 8: a normal failed job.
  await seedJob(redis, 'q', 8, good({ failedReason: 'boom', finishedOn: NOW - 500, processedOn: NOW - 800, atm: 1, stacktrace: '["Error: boom"]' }));
  await redis.cli('ZADD', 'bull:q:failed', String(NOW - 600), '7', String(NOW - 500), '8');

  await seedMeta(broken, 'q');
  await broken.cli('SET', 'bull:q:wait', 'i am not a list');
  await broken.cli('ZADD', 'bull:q:failed', String(NOW), '1');
  await seedJob(broken, 'q', 1, good({ failedReason: 'x', finishedOn: NOW }));
});

async function show(id, extra = []) {
  const args = ['job', 'show', 'q', String(id), '-o', 'json', '--redis', redis.url, ...extra];
  const r = await runJson(args);
  assertCode(args, r, 0);
  assert.equal(r.json.id, String(id));
  return r;
}

const problemFields = (j) => j.problems.map((p) => p.field);

describe('job show on bad jobs', () => {
  test('a good job has no problems', async () => {
    const { json } = await show(1);
    assert.deepEqual(json.problems, []);
    assert.deepEqual(json.data, { to: 'a@b' });
    assert.deepEqual(json.opts, { attempts: 1 });
    assert.equal(json.state, 'waiting');
  });

  test('non-JSON data: raw string plus a problem on data', async () => {
    const { json } = await show(2);
    assert.equal(json.data, 'not json {');
    assert.ok(problemFields(json).includes('data'), JSON.stringify(json.problems));
    assert.equal(json.name, 'mail');
    assert.deepEqual(json.opts, { attempts: 1 }, 'the other fields are still parsed');
  });

  test('a missing name is a problem on name', async () => {
    const { json } = await show(3);
    assert.ok(problemFields(json).includes('name'), JSON.stringify(json.problems));
    assert.deepEqual(json.data, { to: 'a@b' });
  });

  test('garbage opts: raw string plus a problem on opts', async () => {
    const { json } = await show(4);
    assert.equal(json.opts, '{{{garbage');
    assert.ok(problemFields(json).includes('opts'), JSON.stringify(json.problems));
  });

  test('binary bytes in data: valid JSON out, a problem on data', async () => {
    const r = await show(5);
    assert.ok(problemFields(r.json).includes('data'), JSON.stringify(r.json.problems));
    assert.equal(typeof r.json.data, 'string');
    assert.ok(!r.stdout.includes('\x1b'), 'raw ESC from job data reached stdout');
  });

  test('binary bytes in data, text output: no crash, no raw escape sequences', async () => {
    const args = ['job', 'show', 'q', '5', '--redis', redis.url];
    const r = await run(args);
    assertCode(args, r, 0);
    assert.ok(!r.stdout.includes('\x1b[31m'), 'terminal escape from job data printed raw');
  });

  test('a 2 MB non-JSON payload is shown truncated, with a problem', async () => {
    const r = await show(6);
    assert.ok(problemFields(r.json).includes('data'), JSON.stringify(r.json.problems));
    assert.equal(typeof r.json.data, 'string');
    assert.ok(r.json.data.length < TWO_MB / 2, `data is ${r.json.data.length} chars`);
    assert.ok(r.json.data.startsWith('xxxx'), 'the truncated value starts like the stored one');
    assert.ok(r.stdout.length < TWO_MB / 2, `stdout is ${r.stdout.length} bytes`);
  });

  test('a 2 MB JSON payload: exit 0 and one JSON document', async () => {
    const r = await show(9);
    assert.ok(r.stdout.length < 3 * TWO_MB);
  });

  test('non-numeric timestamp and attempts are problems, not crashes', async () => {
    const { json } = await show(10);
    const f = problemFields(json);
    assert.ok(f.includes('timestamp'), JSON.stringify(json.problems));
    assert.ok(f.includes('atm') || f.includes('attempts_made'), JSON.stringify(json.problems));
  });

  test('an id in failed without a hash: state failed, a problem', async () => {
    const { json } = await show(7);
    assert.equal(json.state, 'failed');
    assert.ok(json.problems.length > 0, 'hashless id not flagged');
  });

  test('the text view of every bad job exits 0', async () => {
    for (const id of [2, 3, 4, 6, 10]) {
      const args = ['job', 'show', 'q', String(id), '--redis', redis.url];
      const r = await run(args);
      assertCode(args, r, 0);
      assert.ok(r.stdout.length < TWO_MB / 2, `job ${id}: ${r.stdout.length} bytes of text`);
    }
  });
});

describe('queue inspect goes on past bad jobs', () => {
  test('--state failed lists the hashless id with a problem, and the good one', async () => {
    const args = ['queue', 'inspect', 'q', '-o', 'json', '--state', 'failed', '--redis', redis.url];
    const r = await runJson(args);
    assert.notEqual(r.code, 3, describeRun(args, r));
    const byId = Object.fromEntries(r.json.jobs.map((j) => [j.id, j]));
    assert.deepEqual(Object.keys(byId).sort(), ['7', '8']);
    const top = r.json.problems.filter((p) => p.id === '7');
    assert.ok(byId['7'].problems.length > 0 || top.length > 0, JSON.stringify(r.json));
    assert.equal(byId['8'].failed_reason, 'boom');
    assert.equal(byId['8'].attempts_made, 1);
    assert.deepEqual(byId['8'].problems, []);
    assert.equal(r.json.counts.failed, 2);
  });

  test('--state waiting lists every job, bad ones flagged', async () => {
    const args = ['queue', 'inspect', 'q', '-o', 'json', '--state', 'waiting', '--redis', redis.url];
    const r = await runJson(args);
    assert.notEqual(r.code, 3, describeRun(args, r));
    assert.equal(r.json.jobs.length, 8);
    const byId = Object.fromEntries(r.json.jobs.map((j) => [j.id, j]));
    assert.deepEqual(byId['1'].problems, []);
    assert.ok(byId['3'].problems.length > 0, 'missing name not flagged in the listing');
    assert.ok(r.stdout.length < 1024 * 1024, `listing is ${r.stdout.length} bytes`);
  });

  test('every output format survives the bad jobs', async () => {
    for (const o of ['text', 'json', 'nagios', 'prom']) {
      const args = ['queue', 'inspect', 'q', '-o', o, '--state', 'waiting', '--redis', redis.url];
      const r = await run(args);
      assertExited(args, r);
      assert.ok([0, 1, 2, 3].includes(r.code), describeRun(args, r));
      if (o === 'json') JSON.parse(r.stdout);
    }
  });

  test('queue list survives the bad jobs', async () => {
    const args = ['queue', 'list', '-o', 'json', '--redis', redis.url];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.queues.find((q) => q.queue === 'q').counts.waiting, 8);
  });
});

describe('a key of the wrong type', () => {
  test('queue inspect: exit 3, status unknown, the key named', async () => {
    const args = ['queue', 'inspect', 'q', '-o', 'json', '--redis', broken.url];
    const r = await runJson(args);
    assertCode(args, r, 3);
    assert.equal(r.json.status, 'unknown');
    const named = r.stderr.includes('bull:q:wait') || r.json.problems.some((p) => (p.key ?? '') === 'bull:q:wait' || (p.problem ?? '').includes('bull:q:wait'));
    assert.ok(named, `bull:q:wait not named: ${describeRun(args, r)}`);
  });

  test('queue inspect (text) also exits 3 and names the key', async () => {
    const args = ['queue', 'inspect', 'q', '--redis', broken.url];
    const r = await run(args);
    assertCode(args, r, 3);
    assert.ok((r.stdout + r.stderr).includes('bull:q:wait'), describeRun(args, r));
  });

  test('job show on a job of that queue still works', async () => {
    const args = ['job', 'show', 'q', '1', '-o', 'json', '--redis', broken.url];
    const r = await runJson(args);
    assertExited(args, r);
    assert.equal(r.json.id, '1');
    assert.equal(r.json.state, 'failed');
  });
});
