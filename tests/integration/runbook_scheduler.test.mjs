// The built-in `scheduler` runbook against real BullMQ Job Schedulers (seed 003 Runbooks E and I): a
// healthy scheduler is left alone; an overdue one (its next run 40 minutes past, the job of that
// run still delayed) is run now and, with a worker, the run completes and the next one is scheduled;
// a broken chain (the job of the next run deleted) stops with the definition to re-create it.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';

import { tempDir, waitFor } from '../lib/harness.mjs';
import { bullmq, finding, runbook, step } from '../lib/runbook_helpers.mjs';
import { useRedis } from '../lib/servers.mjs';

const { Queue, Worker } = bullmq;
const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const connection = () => ({ host: redis.host, port: redis.port });
const MIN = 60_000;

async function scheduled(prefix) {
  const q = new Queue('reports', { connection: connection(), prefix });
  redis.closers.push(q);
  await q.upsertJobScheduler('hourly', { pattern: '0 * * * *' }, { name: 'report', data: { kind: 'hourly' } });
  return q;
}

// The scheduler's next run moved 40 minutes into the past while the job carrying it stays delayed
// (due in an hour): nothing runs it, as after a lost promotion.
async function makeOverdue(prefix) {
  const base = `${prefix}:reports`;
  const [sec] = await redis.io.time();
  const at = Number(sec) * 1000 - 40 * MIN;
  const old = await redis.io.zscore(`${base}:repeat`, 'hourly');
  const oldJob = `repeat:hourly:${old}`;
  const newJob = `repeat:hourly:${at}`;
  await redis.io.rename(`${base}:${oldJob}`, `${base}:${newJob}`);
  await redis.io.zrem(`${base}:delayed`, oldJob);
  await redis.io.zadd(`${base}:delayed`, String((Number(sec) * 1000 + 60 * MIN) * 4096), newJob);
  await redis.io.zadd(`${base}:repeat`, String(at), 'hourly');
  return newJob;
}

const args = (P, extra = []) => ['scheduler', '--param', 'queue=reports', '--param', 'scheduler=hourly',
  '--redis', redis.url, '--prefix', P, '--audit-log', path.join(tempDir('audit'), 'a.jsonl'), ...extra];

test('a healthy scheduler: nothing to do', async () => {
  const P = 'schok';
  await scheduled(P);
  const r = await runbook([...args(P), '--yes'], { code: 0 });
  assert.equal(r.json.outcome, 'nothing-to-do', r.describe);
  assert.equal(finding(step(r.json, 'state'), 'next_job_state'), 'delayed');
  assert.equal(step(r.json, 'run_now').status, 'skipped');
});

test('an overdue scheduler is run now; the run completes and the next one is scheduled', async () => {
  const P = 'schlate';
  await scheduled(P);
  const job = await makeOverdue(P);
  const dry = await runbook([...args(P), '--dry-run'], { code: 1 });
  assert.equal(finding(step(dry.json, 'state'), 'is_overdue'), true, dry.describe);
  assert.equal(step(dry.json, 'run_now').status, 'dry-run');

  const ran = [];
  const w = new Worker('reports', async (j) => { ran.push(j.id); }, { connection: connection(), prefix: P,
    drainDelay: 30 });
  redis.closers.push(w);
  await w.waitUntilReady();
  const r = await runbook([...args(P, ['--param', 'verify_timeout=20s']), '--yes'], { code: 0 });
  assert.equal(r.json.outcome, 'verified', r.describe);
  assert.equal(finding(step(r.json, 'run_now'), 'job_id'), job);
  assert.equal(step(r.json, 'run_now').changed, 1);
  const next = step(r.json, 'next_scheduled');
  assert.equal(next.status, 'passed');
  assert.notEqual(finding(next, 'next_job_id'), job);
  await waitFor(() => ran.includes(job), { what: 'the promoted run to complete' });
});

test('a broken chain stops with the definition to re-create it; nothing is changed', async () => {
  const P = 'schbroken';
  const q = await scheduled(P);
  const base = `${P}:reports`;
  const [id] = await redis.io.zrange(`${base}:delayed`, 0, 0);
  await redis.io.zrem(`${base}:delayed`, id);
  await redis.io.del(`${base}:${id}`);
  const r = await runbook([...args(P), '--yes'], { code: 2 });
  assert.equal(r.json.outcome, 'unresolved', r.describe);
  const s = step(r.json, 'state');
  assert.equal(finding(s, 'is_broken'), true);
  assert.ok(s.messages.some((m) => /re-create it from its definition .*"pattern":"0 \* \* \* \*".*upsertJobScheduler/.test(m.message)),
    JSON.stringify(s.messages));
  assert.equal(step(r.json, 'run_now').status, 'skipped');
  assert.equal((await q.getJobScheduler('hourly')).pattern, '0 * * * *');
});
