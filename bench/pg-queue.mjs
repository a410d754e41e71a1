// The body of bench/pg-queue (run that):   node bench/pg-queue.mjs OPSCTL_BIN
//
// On one throwaway PostgreSQL (tests/lib/pg.mjs) with BullMQ 6.7's schema:
//   retry   BENCH_JOBS (default 100,000) failed jobs on each of two queues: `opsctl queue retry Q
//           --yes` (the whole process: start, connect, plan, every batch) vs `await
//           queue.retryJobs({state: 'failed'})` in this process on an open pool;
//   clear   the same jobs, now waiting: `opsctl queue clear Q --state waiting --yes` vs
//           `queue.clean(0, n, 'wait')`;
//   RSS     opsctl's peak resident set (/usr/bin/time -f %M);
//   longest the longest statement of opsctl's session (application_name opsctl) during each run,
//           from the server log (log_min_duration_statement = 0 for that run only);
//   inspect `opsctl queue inspect` on BENCH_INSPECT_JOBS (default 1,000,000) jobs, best of 5, next
//           to BullMQ's getJobCounts(), and EXPLAIN of its counts (which index serves each state);
//   same    Job.retry per job (the end state opsctl's retry leaves) on a sample, per job.
// Seeding is bulk SQL: BullMQ's add_jobs_bulk (Queue.addBulk) in chunks of 10,000, then one
// UPDATE to the failed state a Worker's move_to_failed leaves (the bench measures opsctl, not seeding).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { bullmq, bullmqPg } from '../tests/lib/bullmq-pg.mjs';
import { APP_PASSWORD, startPostgres } from '../tests/lib/pg.mjs';

const [bin] = process.argv.slice(2);
const N = Number(process.env.BENCH_JOBS ?? 100_000);
const INSPECT_N = Number(process.env.BENCH_INSPECT_JOBS ?? 1_000_000);
const SCHEMA = 'bench';
const tmp = mkdtempSync(path.join(os.tmpdir(), 'opsctl-bench-pg-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const pg = await startPostgres({ maxConnections: 40 });
const bq = bullmqPg(pg, { schema: SCHEMA, poolMax: 4 });
const logFile = path.join(pg.dir ?? '', 'postgres.log');

async function seed(queue, n, state) {
  for (let i = 0; i < n; i += 10_000) {
    await queue.addBulk(Array.from({ length: Math.min(10_000, n - i) }, (_, k) => ({ name: 'x', data: { i: i + k } })));
  }
  if (state === 'failed') {
    await bq.sql(`UPDATE job SET state = 'failed', finished_at_ms = added_at_ms + 1, failed_reason = 'boom',
      attempts_made = 1, attempts_started = 1, processed_at_ms = added_at_ms WHERE queue = $1`, [queue.name]);
  }
  await bq.sql('ANALYZE job');
}

function opsctl(args) {
  const timeFile = path.join(tmp, 'time.txt');
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%M', bin, '--queue-backend', 'postgres', '--pg', pg.appUrl,
    '--prefix', SCHEMA, '--timeout', '30s', '-o', 'json', ...args],
  { env: { ...process.env, PGPASSWORD: APP_PASSWORD, OPSCTL_AUDIT_LOG: path.join(tmp, 'audit.jsonl') }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  if (![0, 1, 2].includes(r.status)) throw new Error(`opsctl ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  const rssKb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  return { ms, rssKb, doc: JSON.parse(r.stdout) };
}

// The longest "duration: X ms" of opsctl's statements logged since offset.
function longest(offset) {
  let text = '';
  try { text = readFileSync(logFile, 'utf8').slice(offset); } catch { return NaN; }
  let worst = 0;
  for (const m of text.matchAll(/duration: ([\d.]+) ms/g)) worst = Math.max(worst, Number(m[1]));
  return worst;
}
const logSize = () => { try { return readFileSync(logFile, 'utf8').length; } catch { return 0; } };

async function logged(fn) {
  await pg.sql("ALTER ROLE app SET log_min_duration_statement = 0");
  const at = logSize();
  const r = await fn();
  await pg.sql("ALTER ROLE app RESET log_min_duration_statement");
  return { ...r, longestMs: longest(at) };
}

async function main() {
  await bq.migrate();
  const ver = await pg.sql('SHOW server_version');
  console.log(`opsctl on BullMQ ${bullmq.version ?? '6.7'} PostgreSQL backend; PostgreSQL ${ver}; ${os.cpus().length} CPUs; ${N.toLocaleString('en-US')} jobs`);
  const ops = bq.queue('ops');
  const bmq = bq.queue('bmq');
  await seed(ops, N, 'failed');
  await seed(bmq, N, 'failed');

  const rRetry = await logged(async () => opsctl(['queue', 'retry', 'ops', '--yes']));
  if (rRetry.doc.changed !== N) throw new Error(`opsctl retried ${rRetry.doc.changed} of ${N}`);
  let t = performance.now();
  await bmq.retryJobs({ state: 'failed' });
  const bRetry = performance.now() - t;
  const cR = await bmq.getJobCounts();
  if (cR.waiting !== N) throw new Error(`BullMQ retried: ${JSON.stringify(cR)}`);

  const rClear = await logged(async () => opsctl(['queue', 'clear', 'ops', '--state', 'waiting', '--yes']));
  if (rClear.doc.changed !== N) throw new Error(`opsctl cleared ${rClear.doc.changed} of ${N}`);
  t = performance.now();
  await bmq.clean(0, N, 'wait');
  const bClear = performance.now() - t;

  const row = (what, o, b) => console.log(`${what.padEnd(6)} opsctl ${o.ms.toFixed(0)} ms, BullMQ ${b.toFixed(0)} ms, ratio ` +
    `${(o.ms / b).toFixed(2)} (target <= 1.0); peak RSS ${(o.rssKb / 1024).toFixed(1)} MB (target <= 20); ` +
    `longest statement ${o.longestMs.toFixed(1)} ms (target <= 50)`);
  row('retry', rRetry, bRetry);
  row('clear', rClear, bClear);
  // Queue.retryJobs is one set-based UPDATE (retry_jobs: attempts reset, no events, parents left as
  // they were); opsctl's end state is Job.retry's (reprocess_job per job). The same end state with
  // BullMQ's own API is a Job.retry per job: timed on a sample, per job.
  const SAMPLE = Math.min(N, 2000);
  await seed(bmq, SAMPLE, 'failed');
  const sampleIds = (await bq.sql(`SELECT id FROM job WHERE queue = 'bmq' AND state = 'failed' ORDER BY finished_at_ms, id`)).map((r) => r.id);
  t = performance.now();
  for (const id of sampleIds) await (await bmq.getJob(id)).retry('failed');
  const perJob = (performance.now() - t) / sampleIds.length;
  console.log(`retry  same end state with BullMQ's API (Job.retry per job, ${sampleIds.length} jobs): ${perJob.toFixed(3)} ms a job;` +
    ` opsctl ${(rRetry.ms / N).toFixed(3)} ms a job, ratio ${(rRetry.ms / N / perJob).toFixed(2)}`);

  const big = bq.queue('big');
  const states = ['completed', 'failed', 'waiting'];
  await seed(big, INSPECT_N, 'waiting');
  await bq.sql(`UPDATE job SET state = (ARRAY['completed','failed','waiting']::job_state[])[1 + (hashtext(id) & 1023) % 3],
    finished_at_ms = added_at_ms + 5 WHERE queue = 'big'`);
  await bq.sql('VACUUM ANALYZE job').catch(() => bq.sql('ANALYZE job'));
  const times = [];
  let inspect;
  for (let i = 0; i < 5; i++) {
    inspect = opsctl(['queue', 'inspect', 'big']);
    times.push(inspect.ms);
  }
  const bTimes = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await big.getJobCounts();
    bTimes.push(performance.now() - t0);
  }
  console.log(`inspect ${INSPECT_N.toLocaleString('en-US')} jobs (${states.join('/')}): best ${Math.min(...times).toFixed(0)} ms, ` +
    `median ${[...times].sort((a, b) => a - b)[2].toFixed(0)} ms (target <= 50); counts ${JSON.stringify(inspect.doc.counts)}`);
  console.log(`        BullMQ's getJobCounts() alone, in this process on an open pool: best ${Math.min(...bTimes).toFixed(0)} ms; ` +
    `ratio opsctl (whole process) / BullMQ ${(Math.min(...times) / Math.min(...bTimes)).toFixed(2)}`);
  // opsctl counts each state with its own subquery (lib/queue/postgres/probe.cpp, the same
  // predicates); which index answers each one:
  const count = (where) => `(SELECT count(*) FROM job WHERE queue = 'big' AND ${where})`;
  const plan = await bq.sql(`EXPLAIN SELECT ${["state = 'active'", "state = 'completed'", "state = 'delayed'", "state = 'failed'",
    "state = 'waiting' AND priority > 0", "state = 'waiting'", "state = 'waiting-children'"].map(count).join(', ')}`);
  const scans = plan.map((r) => r['QUERY PLAN']).filter((l) => /Scan/.test(l)).map((l) => l.trim().replace(/\s+\(cost.*$/, ''));
  console.log(`plan of the counts: ${scans.join('; ')}`);
}

try {
  await main();
} catch (e) {
  console.error(`bench/pg-queue: ${e.stack ?? e.message}`);
  process.exitCode = 1;
} finally {
  await bq.close();
  await pg.stop();
}
