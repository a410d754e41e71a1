// Fault: opsctl killed with SIGKILL in the middle of retrying 100k jobs. Each job moves inside one
// script call, so every id must be in exactly one of failed or wait, with its hash, its fields
// consistent with where it is, and one `waiting` event per moved job. A second run finishes the job.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

import { cleanEnv, OPSCTL_BIN, run, sleep } from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';
import { seedFailed } from './retry-fixture.mjs';

const P = 'fk';
const N = 100000;
const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const io = redis.io;

setup(async () => {
  await seedFailed(redis, P, 'q', N);
  // Keep every event, so the count of `waiting` events can be checked against wait.
  await io.hset(`${P}:q:meta`, 'opts.maxLenEvents', String(10 * N));
  await io.del(`${P}:q:events`);
});

async function invariants() {
  const failed = await io.zrange(`${P}:q:failed`, 0, -1);
  const wait = await io.lrange(`${P}:q:wait`, 0, -1);
  const inFailed = new Set(failed);
  assert.equal(inFailed.size, failed.length, 'duplicate in failed');
  assert.equal(new Set(wait).size, wait.length, 'duplicate in wait');
  for (const id of wait) assert.ok(!inFailed.has(id), `job ${id} in both failed and wait`);
  assert.equal(failed.length + wait.length, N, 'jobs lost or invented');
  const pipe = io.pipeline();
  for (const id of failed) pipe.hexists(`${P}:q:${id}`, 'finishedOn');
  for (const id of wait) pipe.hexists(`${P}:q:${id}`, 'finishedOn');
  for (const id of [...failed, ...wait]) pipe.exists(`${P}:q:${id}`);
  const res = (await pipe.exec()).map(([err, v]) => { assert.ifError(err); return v; });
  assert.ok(res.slice(0, failed.length).every((v) => v === 1), 'a failed job lost finishedOn');
  assert.ok(res.slice(failed.length, N).every((v) => v === 0), 'a waiting job kept finishedOn');
  assert.ok(res.slice(N).every((v) => v === 1), 'a job hash is missing');
  assert.equal(await io.xlen(`${P}:q:events`), wait.length, 'one waiting event per moved job');
  return { failed: failed.length, wait: wait.length };
}

test('kill -9 in the middle of a 100k retry leaves every job in exactly one state', async () => {
  const args = ['queue', 'retry', 'q', '--yes', '--redis', redis.url, '--prefix', P];
  const child = spawn(OPSCTL_BIN, args, { env: cleanEnv(), stdio: 'ignore' });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const t0 = Date.now();
  while (Date.now() - t0 < 5000 && (await io.llen(`${P}:q:wait`)) < 2000) await sleep(2);
  child.kill('SIGKILL');
  const end = await exited;
  assert.equal(end.signal, 'SIGKILL', `opsctl ended before the kill: ${JSON.stringify(end)}`);
  const mid = await invariants();
  assert.ok(mid.wait > 0 && mid.failed > 0, `not interrupted mid-way: ${JSON.stringify(mid)}`);

  const again = await run(args);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await invariants(), { failed: 0, wait: N });
});
