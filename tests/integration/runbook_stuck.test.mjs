// The built-in `stuck-job` runbook against BullMQ 6.7.0: a Worker SIGKILLed mid-job leaves its job
// in active; while the lock lives nothing is touched, once it expired the runbook finds it, sends it
// back to waiting, verifies none remain, and a fresh worker runs it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';

import { dumpQueue } from '../lib/dump.mjs';
import { killedWorkerJob } from '../lib/fixtures.mjs';
import { tempDir, waitFor } from '../lib/harness.mjs';
import { bullmq, finding, runbook, step } from '../lib/runbook_helpers.mjs';
import { useRedis } from '../lib/servers.mjs';
import { auditLines } from '../lib/state_helpers.mjs';

const { Queue, Worker } = bullmq;
const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const db = redis.io;
const closers = redis.closers;

const killedWorker = (prefix, name) => killedWorkerJob(redis, prefix, name);

const stuck = (prefix, extra = []) => ['stuck-job', '--param', 'queue=jobs', '--redis', redis.url, '--prefix', prefix,
  '--audit-log', path.join(tempDir('audit'), 'a.jsonl'), ...extra];

describe('stuck-job', () => {
  test('a job whose worker was SIGKILLed: left alone while locked, then unstuck, verified and run by a fresh worker', async () => {
    const P = 'rbstuck';
    const q = new Queue('jobs', { connection: { host: redis.host, port: redis.port }, prefix: P });
    closers.push(q);
    const job = await q.add('render', { page: 7 });
    await q.add('render', { page: 8 });
    const id = await killedWorker(P, 'jobs');
    assert.equal(id, job.id);

    const locked = await runbook(stuck(P, ['--dry-run']), { code: 0 });
    const early = step(locked.json, 'stuck');
    assert.equal(early.status, 'ok');
    assert.equal(finding(early, 'matched'), 0);
    assert.equal(finding(early, 'locked'), 1);
    assert.ok(early.messages.some((m) => /held by a live worker/.test(m.message)));

    await waitFor(async () => (await db.exists(`${P}:jobs:${id}:lock`)) === 0, { timeoutMs: 5000, what: 'lock expiry' });
    const before = await dumpQueue(db, P, 'jobs');
    const dry = await runbook(stuck(P, ['--dry-run']), { code: 2 });
    assert.equal(step(dry.json, 'stuck').status, 'critical');
    assert.deepEqual(finding(step(dry.json, 'stuck'), 'ids'), [id]);
    assert.equal(step(dry.json, 'unstick').status, 'dry-run');
    assert.equal(step(dry.json, 'none_left').status, 'skipped');
    assert.deepEqual(await dumpQueue(db, P, 'jobs'), before, 'the dry run changed the queue');

    const audit = path.join(tempDir('audit'), 'stuck.jsonl');
    const r = await runbook(['stuck-job', '--param', 'queue=jobs', '--redis', redis.url, '--prefix', P, '--yes',
      '--audit-log', audit], { code: 0 });
    assert.equal(r.json.outcome, 'verified', r.describe);
    assert.equal(step(r.json, 'unstick').status, 'done');
    assert.equal(step(r.json, 'unstick').changed, 1);
    assert.equal(step(r.json, 'none_left').status, 'passed');
    assert.deepEqual(auditLines(audit).map((l) => [l.action, l.result, l.changed]), [['job.unstick', 'ok', 1]]);
    assert.equal(await q.getJobState(id), 'waiting');

    const seen = [];
    const w = new Worker('jobs', async (j) => { seen.push(j.id); }, { connection: { host: redis.host, port: redis.port },
      prefix: P, drainDelay: 30 });
    closers.push(w);
    await waitFor(() => seen.includes(id), { timeoutMs: 10000, what: 'a fresh worker to run the unstuck job' });
  });

  test('older_than also takes a job whose worker hangs with its lock alive; to=failed fails it', async () => {
    const P = 'rbhung';
    const q = new Queue('jobs', { connection: { host: redis.host, port: redis.port }, prefix: P });
    closers.push(q);
    const job = await q.add('render', { page: 1 });
    let release;
    const w = new Worker('jobs', () => new Promise((r) => { release = r; }),
      { connection: { host: redis.host, port: redis.port }, prefix: P, drainDelay: 30, lockDuration: 30000 });
    closers.push({ close: async () => { release?.(); await w.close(true); } });
    await waitFor(async () => (await q.getJobState(job.id)) === 'active', { what: 'the job to be active' });

    const plain = await runbook(stuck(P, ['--dry-run']), { code: 0 });
    assert.equal(finding(step(plain.json, 'stuck'), 'locked'), 1);
    await new Promise((r) => setTimeout(r, 1100));
    const r = await runbook(stuck(P, ['--param', 'older_than=1s', '--param', 'to=failed', '--yes']), { code: 0 });
    assert.equal(finding(step(r.json, 'stuck'), 'matched'), 1);
    assert.equal(step(r.json, 'unstick').changed, 1);
    assert.equal(await q.getJobState(job.id), 'failed');
  });

  test('neither queue nor table: the diagnosis fails with a clear error', async () => {
    const r = await runbook(['stuck-job', '--redis', redis.url, '--dry-run'], { code: 2 });
    assert.equal(step(r.json, 'stuck').status, 'failed');
    assert.match(step(r.json, 'stuck').error, /give queue \(a BullMQ queue\) or table/);
  });
});
