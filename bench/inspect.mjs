// The body of bench/inspect (run that; it owns the throwaway redis-server):
//
//   node bench/inspect.mjs REDIS_URL OPSCTL_BIN [RUNS]
//
// Seeding, all through the real, pinned BullMQ (tests/compat/node_modules), nothing written by hand:
//   small: 100 waiting jobs (Queue.addBulk).
//   big:   100,000 jobs. 50,000 are added with Queue.addBulk (chunks of 1000) and run by a real
//          Worker (concurrency 200, attempts 1) whose processor throws for 30,000 of them (four
//          failure reasons) and returns for 20,000, so the failed/completed sets, job hashes
//          (failedReason, stacktrace, finishedOn, processedOn, atm) and events are exactly what
//          BullMQ writes. The Worker was fast enough (~25k jobs/s), so no raw-command fast path is
//          used. Then, with no worker: 40,000 waiting, 5,000 delayed, 5,000 prioritized (addBulk).
//
// Timing: wall time of each opsctl process (spawn to exit, so process start, connect and output
// included), RUNS runs per case after one warm-up, small and big interleaved; the median is reported.
// BullMQ's own Queue.getJobCounts() is timed in-process on an open connection, for reference only
// (no process start, no connect); so is `opsctl --help`, the cost of starting the process at all. Every opsctl run must exit 0/1/2 and print one JSON document
// whose counts equal getJobCounts(); otherwise the run counts as failed and the exit status is 1.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'tests/compat/package.json'));
const { Queue, Worker } = require('bullmq');
const IORedis = require('ioredis');

const [url, bin, runsArg] = process.argv.slice(2);
if (!url || !bin) {
  console.error('usage: node bench/inspect.mjs REDIS_URL OPSCTL_BIN [RUNS]');
  process.exit(64);
}
const RUNS = Number(runsArg ?? 20);
const STATES = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed', 'waiting-children'];
const CHUNK = 1000;

const connection = new IORedis(url, { maxRetriesPerRequest: null });
const small = new Queue('small', { connection });
const big = new Queue('big', { connection });

let n = 0;
const job = (name) => {
  n += 1;
  return {
    name,
    data: { userId: `usr_${100000 + n}`, recipient: { email: `user${n}@example.com`, name: `User ${n}` },
      template: 'welcome-v3', locale: 'en-US', requestId: `req_${n.toString(36)}` },
  };
};
async function addInChunks(queue, count, name, opts = () => ({})) {
  for (let i = 0; i < count; i += CHUNK) {
    const k = Math.min(CHUNK, count - i);
    await queue.addBulk(Array.from({ length: k }, (_, j) => ({ ...job(name), opts: { attempts: 1, ...opts(i + j) } })));
  }
}

// Failure reasons in tenths of the failed jobs, interleaved over time so that the most recent
// failures (the sample `queue inspect` groups by reason) mix all four: 12k / 9k / 6k / 3k.
const REASONS = [
  [4, Error, 'SMTP 421 Too many connections'],
  [3, Error, 'connect ETIMEDOUT 10.0.3.17:587'],
  [2, TypeError, "Cannot read properties of undefined (reading 'email')"],
  [1, Error, 'SMTP 550 5.1.1 Recipient address rejected: User unknown'],
];
const FAILED = 30000;
const COMPLETED = 20000;
// Job number i of the worker's 50,000: i % 5 in 0..2 fails (30,000), 3..4 completes (20,000);
// among the failures, (i / 5) % 10 picks the reason by the tenths above.
function outcome(i) {
  if (i % 5 >= 3) return null;
  let tenth = Math.floor(i / 5) % 10;
  for (const [k, Ctor, msg] of REASONS) {
    if (tenth < k) return new Ctor(msg);
    tenth -= k;
  }
  return null;
}

async function seed() {
  const t0 = performance.now();
  await addInChunks(small, 100, 'send-welcome');

  // 50,000 jobs for the worker, then a real Worker fails or completes them (see outcome()).
  let seq = 0;
  await addInChunks(big, FAILED + COMPLETED, 'send-welcome');
  let finished = 0;
  let resolve;
  const done = new Promise((r) => { resolve = r; });
  const worker = new Worker('big', async () => {
    const err = outcome(seq++);
    if (err) throw err;
    return { delivered: true };
  }, { connection, concurrency: 200 });
  const onDone = () => { if (++finished === FAILED + COMPLETED) resolve(); };
  worker.on('completed', onDone);
  worker.on('failed', onDone);
  await done;
  await worker.close();

  // The backlog nobody consumes.
  await addInChunks(big, 40000, 'send-welcome');
  await addInChunks(big, 5000, 'send-weekly-digest', (i) => ({ delay: 3600_000 + i * 1000 }));
  await addInChunks(big, 5000, 'send-password-reset', (i) => ({ priority: 1 + (i % 10) }));
  return performance.now() - t0;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const failures = [];
function runOpsctl(args, expected) {
  const t = performance.now();
  const r = spawnSync(bin, args, { env: { ...process.env, REDIS_URL: url, NO_COLOR: '1' }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  const what = `opsctl ${args.join(' ')}`;
  if (r.error || r.status === null || r.status > 2) {
    failures.push(`${what}: ${r.error?.message ?? `exit ${r.status ?? r.signal}`}: ${(r.stderr || '').trim()}`);
    return ms;
  }
  try {
    const doc = JSON.parse(r.stdout);
    for (const s of STATES) {
      if (doc.counts?.[s] !== expected[s]) throw new Error(`counts.${s} = ${doc.counts?.[s]}, BullMQ says ${expected[s]}`);
    }
  } catch (e) {
    failures.push(`${what}: ${e.message}`);
  }
  return ms;
}

async function main() {
  const seedMs = await seed();
  const expected = { small: await small.getJobCounts(...STATES), big: await big.getJobCounts(...STATES) };
  const total = STATES.reduce((a, s) => a + expected.big[s], 0);
  let version = bin;
  try {
    version = `opsctl ${JSON.parse(spawnSync(bin, ['version', '-o', 'json'], { encoding: 'utf8' }).stdout).version}`;
  } catch { /* keep the path */ }
  const info = await connection.info('server');
  const redisVersion = /redis_version:(\S+)/.exec(info)?.[1];

  console.log(`opsctl queue inspect: small (100 waiting) vs big (${total.toLocaleString('en-US')} jobs), median of ${RUNS} runs`);
  console.log(`${version}; redis ${redisVersion}; BullMQ ${require('bullmq/package.json').version}; seeded in ${(seedMs / 1000).toFixed(1)} s`);
  console.log(`big: ${STATES.map((s) => `${s}=${expected.big[s]}`).join(' ')}`);

  const cases = [
    ['inspect -o json', []],
    ['inspect --state failed --limit 20 -o json', ['--state', 'failed', '--limit', '20']],
    ['inspect --state waiting --limit 20 -o json', ['--state', 'waiting', '--limit', '20']],
  ];
  const rows = [];
  for (const [label, extra] of cases) {
    const failedBefore = failures.length;
    const times = { small: [], big: [] };
    for (let i = 0; i <= RUNS; i++) {
      for (const q of ['small', 'big']) {
        const ms = runOpsctl(['queue', 'inspect', q, ...extra, '-o', 'json'], expected[q]);
        if (i > 0) times[q].push(ms); // run 0 is the warm-up
      }
    }
    rows.push([`opsctl queue ${label}`, median(times.small), median(times.big), failures.length > failedBefore]);
  }
  // Process start alone (no Redis): the floor under every opsctl row above.
  const start = [];
  for (let i = 0; i <= RUNS; i++) {
    const t = performance.now();
    const r = spawnSync(bin, ['--help'], { stdio: 'ignore' });
    if (i > 0) start.push(performance.now() - t);
    if (r.status !== 0) failures.push(`opsctl --help: exit ${r.status ?? r.signal}`);
  }
  rows.push(['opsctl --help (process start only, no Redis)', median(start), median(start), false]);
  const times = { small: [], big: [] };
  for (let i = 0; i <= RUNS; i++) {
    for (const [q, queue] of [['small', small], ['big', big]]) {
      const t = performance.now();
      await queue.getJobCounts(...STATES);
      if (i > 0) times[q].push(performance.now() - t);
    }
  }
  rows.push(['BullMQ queue.getJobCounts() (in-process)', median(times.small), median(times.big), false]);

  const w = Math.max(...rows.map((r) => r[0].length));
  const line = (a, b, c, d, e) => console.log(`${a.padEnd(w)}  ${b.padStart(9)}  ${c.padStart(9)}  ${d.padStart(9)}  ${e}`.trimEnd());
  console.log('');
  line('CASE', 'SMALL ms', 'BIG ms', 'BIG/SMALL', '');
  for (const [label, s, b, failed] of rows) {
    const ratio = b / s;
    const verdict = failed ? 'RUNS FAILED (see below)'
      : label.startsWith('opsctl queue') ? (ratio <= 1.5 ? 'ok (target <= 1.5)' : 'OVER target 1.5') : 'reference';
    const digits = s < 1 ? 3 : 1;
    line(label, s.toFixed(digits), b.toFixed(digits), ratio.toFixed(2), verdict);
  }
  if (failures.length) {
    console.error(`\nbench/inspect: ${failures.length} run(s) failed; the first ones:`);
    for (const f of [...new Set(failures)].slice(0, 5)) console.error(`  ${f}`);
    process.exitCode = 1;
  }
}

try {
  await main();
} finally {
  await small.close();
  await big.close();
  await connection.quit();
}
