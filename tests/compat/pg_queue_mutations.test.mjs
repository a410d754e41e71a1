// The mutations of opsctl on BullMQ's PostgreSQL backend (issue 16, part 2), against the real
// BullMQ 6.7 on a real PostgreSQL: twin queues seeded alike (tests/lib/bullmq-pg.mjs seedStates),
// opsctl on one, BullMQ's own API on the other, and the normalised dumps equal (every row, event
// and counter); each destructive verb also as --dry-run, changing nothing. Then what workers see:
// a live Worker takes retried jobs at once (NOTIFY), a SIGKILLed worker's job found and unstuck,
// an opsctl killed mid-way through a 100k-job retry leaving every job counted once; and the
// safety protocol: a read_only context refuses, every run leaves its audit line.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { bullmqPg, seedStates } from '../lib/bullmq-pg.mjs';
import { OPSCTL_BIN, assertCode, run, runJson, sleep, tempDir, waitFor } from '../lib/harness.mjs';
import { APP_PASSWORD } from '../lib/pg.mjs';
import { setup, usePostgres } from '../lib/servers.mjs';
import { spawn } from 'node:child_process';

const SCHEMA = 'bq_mut';
let bq;
const pg = usePostgres({ maxConnections: 80, releaseAfterEach: false, teardown: () => bq?.close() });
bq = bullmqPg(pg, { schema: SCHEMA });
setup(async () => { await bq.migrate(); });

const dir = tempDir('pgmut');
const audit = path.join(dir, 'audit.jsonl');
const env = { PGPASSWORD: APP_PASSWORD, OPSCTL_AUDIT_LOG: audit };
const base = () => ['--queue-backend', 'postgres', '--pg', pg.appUrl, '--prefix', SCHEMA];
const opsctl = (...args) => run([...base(), ...args], { env, timeoutMs: 60000 });
const opsctlJson = (...args) => runJson([...base(), '-o', 'json', ...args], { env, timeoutMs: 60000 });
const dump = (queue) => bq.dump({ queue });

let n = 0;
// Two queues seeded alike; the holders release their jobs first so nothing moves during a test.
async function twins() {
  n += 1;
  const a = await seedStates(bq, `m${n}a`);
  const b = await seedStates(bq, `m${n}b`);
  await a.release();
  await b.release();
  return { a, b, qa: `m${n}a`, qb: `m${n}b` };
}

async function sameAfter(t, args, twin, { dryRun = true } = {}) {
  if (dryRun) {
    const before = await dump(t.qa);
    const d = await opsctlJson(...args(t.qa), '--dry-run');
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.json.dry_run, true);
    assert.deepEqual(await dump(t.qa), before, 'the dry run changed nothing');
  }
  const r = await opsctlJson(...args(t.qa), '--yes');
  assert.equal(r.code, 0, r.stderr);
  await twin(t);
  assert.deepEqual(await dump(t.qa), await dump(t.qb));
  return r.json;
}

const finished = (queue, state) => bq.sql(`SELECT id FROM job WHERE queue = $1 AND state = $2 ORDER BY finished_at_ms, id`, [queue, state]);

describe('twins: opsctl and BullMQ leave the same rows', () => {
  test('queue retry --state failed = job.retry("failed") per job, oldest finished first', async () => {
    const t = await twins();
    const ids = (await finished(t.qb, 'failed')).map((r) => r.id);
    const j = await sameAfter(t, (q) => ['queue', 'retry', q], async () => {
      for (const id of ids) await (await t.b.queue.getJob(id)).retry('failed');
    });
    assert.equal(j.changed, 3);
  });

  test('queue retry --reason and --state completed --reset-attempts', async () => {
    const t = await twins();
    const [b] = (await t.b.queue.getFailed()).filter((x) => /smtp/.test(x.failedReason));
    await sameAfter(t, (q) => ['queue', 'retry', q, '--reason', 'smtp'], async () => b.retry('failed'));
    const ids = (await finished(t.qb, 'completed')).map((r) => r.id);
    await sameAfter(t, (q) => ['queue', 'retry', q, '--state', 'completed', '--reset-attempts', '--limit', '1'], async () => {
      await (await t.b.queue.getJob(ids[0])).retry('completed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    }, { dryRun: false });
  });

  test('queue clear --state completed = clean(); --state failed --since = remove() per job', async () => {
    const t = await twins();
    const backend = await bq.backend(t.qb);
    await sameAfter(t, (q) => ['queue', 'clear', q, '--state', 'completed'], async () => {
      await backend.cleanJobsByState('completed', Date.now(), 1000);
    });
    const ids = (await finished(t.qb, 'failed')).map((r) => r.id);
    await sameAfter(t, (q) => ['queue', 'clear', q, '--state', 'failed', '--since', '1h'], async () => {
      for (const id of ids) await t.b.queue.remove(id, { removeChildren: false });
    });
  });

  test('queue clear --all --force = Queue.obliterate({force})', async () => {
    const t = await twins();
    await sameAfter(t, (q) => ['queue', 'clear', q, '--all', '--force'], async () => t.b.queue.obliterate({ force: true }));
    assert.equal((await bq.sql('SELECT count(*)::int AS n FROM job WHERE queue = $1', [t.qa]))[0].n, 0);
  });

  test('queue pause / resume = Queue.pause() / resume(); queue promote = promoteJobs()', async () => {
    const t = await twins();
    await sameAfter(t, (q) => ['queue', 'pause', q], async () => t.b.queue.pause());
    assert.equal(await t.a.queue.isPaused(), true);
    await sameAfter(t, (q) => ['queue', 'resume', q], async () => t.b.queue.resume());
    await sameAfter(t, (q) => ['queue', 'promote', q], async () => t.b.queue.promoteJobs({ count: 1000 }));
  });

  test('job retry / remove / promote = job.retry, queue.remove, job.promote', async () => {
    const t = await twins();
    const { ids } = t.a;
    await sameAfter(t, (q) => ['job', 'retry', q, ids.failed[0]], async () => (await t.b.queue.getJob(ids.failed[0])).retry('failed'));
    await sameAfter(t, (q) => ['job', 'remove', q, ids.waiting[0]], async () => t.b.queue.remove(ids.waiting[0]));
    await sameAfter(t, (q) => ['job', 'promote', q, ids.delayed[0]], async () => (await t.b.queue.getJob(ids.delayed[0])).promote());
    const refused = await opsctlJson('job', 'remove', t.qa, ids.scheduler.jobId, '--yes');
    assert.equal(refused.json.results[0].result, 'refused', JSON.stringify(refused.json));
    assert.match(refused.json.results[0].reason, /Job Scheduler/);
  });

  test('job unstick = job.moveToWait("0") on the stuck job; --to failed fails it', async () => {
    const t = await twins();
    const stuck = t.a.ids.stuck[0];
    const j = await sameAfter(t, (q) => ['job', 'unstick', q], async () => (await t.b.queue.getJob(stuck)).moveToWait('0'));
    assert.deepEqual(j.ids, [stuck]);
    const u = await twins();
    const r = await opsctlJson('job', 'unstick', u.qa, '--to', 'failed', '--yes');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await u.a.queue.getJobState(stuck), 'failed');
    assert.match((await u.a.queue.getJob(stuck)).failedReason, /moved by opsctl job unstick/);
  });
});

describe('what workers see', () => {
  test('a live Worker processes retried jobs within 1 s (NOTIFY bullmq_jobs)', async () => {
    const name = 'live';
    const queue = bq.queue(name);
    await queue.addBulk([1, 2, 3, 4, 5].map((i) => ({ name: 'x', data: { i }, opts: { attempts: 1 } })));
    let fail = true;
    const done = new Map();
    const w = bq.worker(name, async (job) => {
      if (fail) throw new Error('down');
      done.set(job.id, Date.now());
    }, { concurrency: 5, skipStalledCheck: true });
    await waitFor(async () => (await queue.getJobCounts()).failed === 5, { what: '5 failed' });
    fail = false;
    await sleep(300);  // the worker is idle, waiting on LISTEN (drainDelay 5 s)
    const start = Date.now();
    const r = await opsctl('queue', 'retry', name, '--yes');
    assert.equal(r.code, 0, r.stderr);
    await waitFor(() => done.size === 5, { timeoutMs: 5000, what: 'the retried jobs processed' });
    const took = Math.max(...done.values()) - start;
    assert.ok(took <= 1000, `processed ${took} ms after the retry started`);
    await w.close();
  });

  test('a SIGKILLed worker\'s job: queue inspect finds it stuck, job unstick requeues it', async () => {
    const name = 'killed';
    const queue = bq.queue(name);
    const job = await queue.add('hang', { n: 1 });
    const child = fork(path.join(import.meta.dirname, 'pg-worker-child.mjs'), [JSON.stringify(bq.connection()), name], { stdio: 'ignore' });
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the worker never took the job')), 10000);
      child.on('message', (m) => { if (m.active === job.id) { clearTimeout(timer); resolve(); } });
    });
    child.kill('SIGKILL');
    await sleep(1500);  // its lock (1 s) expires
    const i = await opsctlJson('queue', 'inspect', name);
    assert.equal(i.json.stalled.count, 1, JSON.stringify(i.json.stalled));
    assert.deepEqual(i.json.stalled.sample_ids, [job.id]);
    const u = await opsctlJson('job', 'unstick', name, '--yes');
    assert.equal(u.code, 0, u.stderr);
    assert.equal(u.json.changed, 1);
    assert.equal(await queue.getJobState(job.id), 'waiting');
  });

  test('kill -9 opsctl during a 100k-job retry: every job in one state, the exact total', async () => {
    const name = 'big';
    const total = 100_000;
    const queue = bq.queue(name);
    await queue.waitUntilReady();
    for (let i = 0; i < total; i += 10_000) {
      await queue.addBulk(Array.from({ length: 10_000 }, (_, k) => ({ name: 'x', data: { i: i + k } })));
    }
    // As a worker would leave them after a failure (one statement: seeding, not the test).
    await bq.sql(`UPDATE job SET state = 'failed', finished_at_ms = added_at_ms + 1, failed_reason = 'boom',
      attempts_made = 1, attempts_started = 1, processed_at_ms = added_at_ms WHERE queue = $1`, [name]);
    const child = spawn(OPSCTL_BIN, [...base(), 'queue', 'retry', name, '--yes'], { env: { ...process.env, ...env }, stdio: 'ignore' });
    await waitFor(async () => (await queue.getJobCounts('waiting')).waiting > 0, { intervalMs: 10, what: 'the retry to start' });
    child.kill('SIGKILL');
    await new Promise((r) => child.on('exit', r));
    const c = await queue.getJobCounts();
    assert.equal(c.waiting + c.failed, total, JSON.stringify(c));
    assert.ok(c.failed > 0, `the kill came after the retry finished: ${JSON.stringify(c)}`);
    const [{ n: rows }] = await bq.sql('SELECT count(*)::int AS n FROM job WHERE queue = $1', [name]);
    assert.equal(rows, total);
    // Running it again continues where it stopped (bounded here by --limit to keep the suite short).
    const again = await opsctlJson('queue', 'retry', name, '--yes', '--limit', '1000');
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.json.changed, Math.min(1000, c.failed));
    const after = await queue.getJobCounts();
    assert.equal(after.waiting, c.waiting + again.json.changed);
    assert.equal(after.waiting + after.failed, total);
    await bq.sql('DELETE FROM job WHERE queue = $1', [name]);
  });
});

describe('safety', () => {
  test('a read_only context refuses (4); every run leaves an audit line', async () => {
    const cfg = path.join(dir, 'config.yaml');
    writeFileSync(cfg, `current-context: ro\ncontexts:\n  - name: ro\n    pg: "${pg.appUrl}"\n    queue_backend: postgres\n    queue_schema: ${SCHEMA}\n    read_only: true\n`);
    const queue = bq.queue('ro');
    await queue.add('x', {});
    const args = ['--config', cfg, 'queue', 'pause', 'ro', '--yes'];
    const r = await run(args, { env });
    assertCode(args, r, 4);
    assert.equal(await queue.isPaused(), false);
    const ok = await opsctl('queue', 'pause', 'ro', '--yes');
    assert.equal(ok.code, 0, ok.stderr);
    const lines = readFileSync(audit, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const mine = lines.filter((l) => l.action === 'queue.pause' && l.target.endsWith(`${SCHEMA}:ro`));
    assert.deepEqual(mine.map((l) => l.result.split(':')[0]), ['refused', 'ok'], JSON.stringify(mine));
  });
});
