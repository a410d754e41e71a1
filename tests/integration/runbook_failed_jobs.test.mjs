// The built-in `failed-jobs` runbook against real BullMQ queues and workers: transient failures
// (timeouts, 503, resets) are retried and the failure count in the window drops; a permanent reason
// (a validation error) stops the run with the finding and changes nothing; custom patterns by params.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';

import { dumpQueue } from '../lib/dump.mjs';
import { tempDir, waitFor } from '../lib/harness.mjs';
import { bullmq, finding, runbook, step } from '../lib/runbook_helpers.mjs';
import { useRedis } from '../lib/servers.mjs';

const { Queue, Worker } = bullmq;
const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const connection = () => ({ host: redis.host, port: redis.port });

// A queue whose jobs failed once with these reasons (one job per reason entry); the worker then
// succeeds for every job it sees again. Returns the queue and the count of completions.
async function failedQueue(prefix, reasons) {
  const q = new Queue('orders', { connection: connection(), prefix });
  redis.closers.push(q);
  await q.addBulk(reasons.map((reason, i) => ({ name: 'charge', data: { i, reason } })));
  const state = { completed: 0 };
  const w = new Worker('orders', async (job) => {
    if (job.attemptsMade === 0) throw new Error(job.data.reason);
    state.completed++;
  }, { connection: connection(), prefix, drainDelay: 30, concurrency: 4 });
  redis.closers.push(w);
  await waitFor(async () => (await q.getJobCounts('failed')).failed === reasons.length, { what: 'the failures' });
  return { q, state };
}

const args = (P, extra = []) => ['failed-jobs', '--param', 'queue=orders', '--redis', redis.url, '--prefix', P,
  '--audit-log', path.join(tempDir('audit'), 'a.jsonl'), ...extra];

test('transient failures are retried and the failures in the window drop', async () => {
  const P = 'fjtransient';
  const reasons = [...Array(6).fill('upstream timeout after 30s'), ...Array(3).fill('HTTP 503 from payments'),
    'read ECONNRESET'];
  const { q, state } = await failedQueue(P, reasons);
  const dry = await runbook([...args(P), '--dry-run'], { code: 1 });
  assert.equal(finding(step(dry.json, 'classify'), 'transient'), 10);
  assert.equal(finding(step(dry.json, 'classify'), 'permanent'), 0);
  assert.equal(step(dry.json, 'retry').status, 'dry-run');
  assert.equal((await q.getJobCounts('failed')).failed, 10);

  const r = await runbook([...args(P), '--yes'], { code: 0 });
  assert.equal(r.json.outcome, 'verified', r.describe);
  assert.equal(finding(step(r.json, 'failures'), 'failed_in_window'), 10);
  assert.equal(step(r.json, 'retry').changed, 10);
  assert.equal(step(r.json, 'dropped').status, 'passed');
  assert.ok(finding(step(r.json, 'dropped'), 'failed_in_window') < 10);
  await waitFor(() => state.completed === 10, { timeoutMs: 15000, what: 'the retried jobs to complete' });
  assert.match(r.json.comms, /Failed jobs on orders: ok \(verified\)/);
});

test('a permanent reason stops the run with the finding; nothing is retried', async () => {
  const P = 'fjpermanent';
  const { q } = await failedQueue(P, [...Array(4).fill('validation failed: amount must be positive'),
    ...Array(2).fill('upstream timeout')]);
  const before = await dumpQueue(redis.io, P, 'orders');
  const r = await runbook([...args(P), '--yes'], { code: 2 });
  assert.equal(r.json.outcome, 'unresolved', r.describe);
  const c = step(r.json, 'classify');
  assert.equal(c.status, 'critical');
  assert.equal(finding(c, 'permanent'), 4);
  assert.equal(finding(c, 'top_permanent'), 'validation failed: amount must be positive');
  assert.ok(c.messages.some((m) => /4 failures are permanent \(validation failed.*fix that first/.test(m.message)));
  assert.equal(step(r.json, 'retry').status, 'skipped');
  assert.deepEqual(await dumpQueue(redis.io, P, 'orders'), before);
  assert.equal((await q.getJobCounts('failed')).failed, 6);
});

test('the patterns are params: a reason made transient is retried', async () => {
  const P = 'fjcustom';
  await failedQueue(P, Array(3).fill('mailbox busy, try later'));
  const plain = await runbook([...args(P), '--dry-run'], { code: 1 });
  assert.equal(finding(step(plain.json, 'classify'), 'unclassified'), 3);
  assert.equal(step(plain.json, 'retry').status, 'skipped');
  const r = await runbook([...args(P, ['--param', 'transient=mailbox busy']), '--yes'], { code: 0 });
  assert.equal(step(r.json, 'retry').changed, 3, r.describe);
  assert.equal(r.json.outcome, 'verified');
});
