// A bulk retry cut off by the network: the connection killed (CLIENT KILL) or Redis frozen past
// --timeout (CLIENT PAUSE). opsctl exits 2 naming the cause and how far it got, in text, JSON and
// the audit line; the keys agree with what it reported (the one call in flight at most on top);
// every job is in exactly one state; the same command run again finishes the rest.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { cleanEnv, OPSCTL_BIN, run, sleep, tempDir } from '../lib/harness.mjs';
import { useRedis } from '../lib/servers.mjs';
import { seedFailed } from './retry-fixture.mjs';

const N = 60000;
const MAX_CALL = 1000; // more than one script call ever moves (BatchSizer: 250 at most)
const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const io = redis.io;

async function states(P) {
  const failed = await io.zrange(`${P}:q:failed`, 0, -1);
  const wait = await io.lrange(`${P}:q:wait`, 0, -1);
  const inFailed = new Set(failed);
  for (const id of wait) assert.ok(!inFailed.has(id), `job ${id} in both failed and wait`);
  assert.equal(new Set(wait).size, wait.length, 'duplicate in wait');
  assert.equal(failed.length + wait.length, N, 'jobs lost or invented');
  return { failed: failed.length, wait: wait.length };
}

// Starts `queue retry` with -o json, calls interrupt() once 2000 jobs moved, returns its result.
async function retryInterrupted(P, interrupt, extra = []) {
  const audit = path.join(tempDir('audit'), 'audit.jsonl');
  const args = ['queue', 'retry', 'q', '--yes', '-o', 'json', '--redis', redis.url, '--prefix', P,
    '--audit-log', audit, ...extra];
  const child = spawn(OPSCTL_BIN, args, { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((r) => child.on('exit', (code, signal) => r({ code, signal })));
  const t0 = Date.now();
  while (Date.now() - t0 < 10000 && (await io.llen(`${P}:q:wait`)) < 2000) await sleep(2);
  await interrupt();
  const end = await exited;
  return { ...end, stdout, stderr, args, audit };
}

function checkReport(r, mid) {
  assert.equal(r.signal, null, `opsctl died of a signal: ${JSON.stringify(r)}`);
  assert.equal(r.code, 2, r.stderr);
  const doc = JSON.parse(r.stdout);  // one document, on failure too
  assert.equal(doc.action, 'queue.retry');
  assert.equal(doc.interrupted, true);
  assert.equal(doc.dry_run, false);
  assert.equal(doc.matched, N);
  assert.ok(typeof doc.error?.kind === 'string' && doc.error.message.length > 0, r.stdout);
  // What it reported happened; at most the one call in flight happened on top of it.
  assert.ok(doc.changed > 0 && doc.changed < N, `changed ${doc.changed}`);
  assert.ok(mid.wait >= doc.changed && mid.wait <= doc.changed + MAX_CALL,
    `reported ${doc.changed}, the keys say ${mid.wait} moved`);
  const line = r.stderr.trim().split('\n').filter((l) => l.startsWith('opsctl: ')).pop();
  assert.match(line, new RegExp(`interrupted after ${doc.changed} of ${N} failed jobs changed`));
  assert.match(line, /Run the same command again to continue/);
  const audit = readFileSync(r.audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const last = audit[audit.length - 1];
  assert.equal(last.changed, doc.changed);
  assert.match(last.result, /^interrupted: /);
  return doc;
}

async function finish(P, r) {
  const again = await run(r.args.filter((a) => a !== 'json' && a !== '-o'));
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await states(P), { failed: 0, wait: N });
}

test('the connection killed mid-way: exit 2, the count so far, a second run finishes', async () => {
  const P = 'ck';
  await seedFailed(redis, P, 'q', N);
  const r = await retryInterrupted(P, async () => {
    const list = await io.client('LIST');
    const ids = list.split('\n').filter((l) => / name=opsctl /.test(l)).map((l) => l.match(/^id=(\d+)/)[1]);
    assert.equal(ids.length, 1, list);
    await io.client('KILL', 'ID', ids[0]);
  });
  const mid = await states(P);
  const doc = checkReport(r, mid);
  assert.equal(doc.error.kind, 'connection_lost', r.stdout);
  await finish(P, r);
});

test('Redis frozen past --timeout: exit 2 within the deadline, the count so far, a second run finishes', async () => {
  const P = 'pz';
  await seedFailed(redis, P, 'q', N);
  let pausedAt = 0;
  const r = await retryInterrupted(P, async () => {
    pausedAt = Date.now();
    await io.client('PAUSE', '3000', 'WRITE');
  }, ['--timeout', '1s']);
  const waited = Date.now() - pausedAt;
  assert.ok(waited < 2800, `opsctl took ${waited} ms to give up, --timeout is 1s`);
  await io.client('UNPAUSE');
  await sleep(100);
  const mid = await states(P);
  const doc = checkReport(r, mid);
  assert.equal(doc.error.kind, 'timeout', r.stdout);
  await finish(P, r);
});
