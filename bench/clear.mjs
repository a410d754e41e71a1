// Benchmark of `opsctl queue clear --state completed` against BullMQ's own Queue.clean(0, 0,
// 'completed') (which loops cleanJobsInSet with 10,000 jobs per call) on a twin queue.
//
// Jobs are made by the real BullMQ once per size: addBulk in chunks of 1,000 into a template queue,
// then a Worker (concurrency 500, a processor that returns at once) moves them all to completed.
// Each run then gets two fresh twins copied key by key from that template with COPY (same bytes,
// BullMQ's own layout), so runs are cheap and identical. Sizes: 10k and 100k (BENCH_SIZES), so
// opsctl's RSS can be seen to stay flat.
//
// Per size:
//  - BENCH_RUNS timed runs (default 5), alternating which side goes first: wall time of the whole
//    opsctl process (spawn to exit: connection, preview and audit line included) vs the
//    Queue.clean() call alone; ratio median and best-of (min/min, the least disturbed by other
//    load on the machine); target <= 0.7. Also the Redis CPU time (INFO cpu) each side cost, which
//    scheduling noise does not inflate. opsctl's peak RSS from /usr/bin/time -f %M (target <= 20 MB).
//    SLOWLOG only records calls of 5 ms or more there (so logging costs neither side anything): how
//    many opsctl calls reached 5 ms across the timed runs, and the longest.
//  - one SLOWLOG run with slowlog-log-slower-than 0: the slowest single command of each side (target
//    <= 5 ms for opsctl), and the median and 99th percentile of opsctl's script calls. With the
//    threshold at 0 Redis also logs each command run inside a script, which slows scripts a little.
// BENCH_REDIS_NICE=-10 runs redis-server at a higher priority (see below).
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

import { OPSCTL_BIN, REPO, startRedis, waitFor } from '../tests/lib/harness.mjs';

const require = createRequire(path.join(REPO, 'tests', 'compat', 'package.json'));
const { Queue, Worker } = require('bullmq');

const sizes = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const runs = Number(process.env.BENCH_RUNS ?? 3);
const PREFIX = 'bench';

function timed(bin, args) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    execFile(bin, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (err) reject(new Error(`${bin} ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve({ ms, stdout, stderr });
    });
  });
}

// Fills the twins together (addBulk alternating between them, both workers running at once), so
// neither gets a fresher or more compact memory layout than the other.
async function fillTwins(connection, names, n) {
  const queues = names.map((name) => new Queue(name, { connection, prefix: PREFIX }));
  for (let i = 0; i < n; i += 1000) {
    const jobs = Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ name: 'job', data: { i: i + k } }));
    for (const q of queues) await q.addBulk(jobs);
  }
  const workers = names.map((name) => new Worker(name, async () => 1, { connection, prefix: PREFIX, concurrency: 500 }));
  for (const q of queues) {
    await waitFor(async () => (await q.getJobCounts('completed')).completed === n,
      { timeoutMs: 300000, intervalMs: 200, what: `${n} completed in ${q.name}` });
  }
  await Promise.all(workers.map((w) => w.close()));
  await Promise.all(queues.map((q) => q.close()));
}

async function redisCpu(cli) {
  const info = await cli.info('cpu');
  const get = (f) => Number(info.match(new RegExp(`${f}:([\\d.]+)`))[1]);
  return (get('used_cpu_sys') + get('used_cpu_user')) * 1000;  // ms
}

// Commands SLOWLOG recorded since the last reset, oldest first: {us, name}.
async function slowlog(cli) {
  const log = await cli.slowlog('GET', -1);
  return log.reverse().map(([, , us, argv]) => ({ us, name: String(argv[0]).toUpperCase() }))
    .filter((e) => e.name !== 'SLOWLOG' && e.name !== 'CONFIG');
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const ms = (us) => (us / 1000).toFixed(2);

// Copies the template into twins, clears one with opsctl and the other with Queue.clean (in the
// order given), and returns the figures.
async function once(redis, cli, n, tag, slowlogUs, opsctlFirst) {
  const a = `ops${n}${tag}`;
  const b = `bmq${n}${tag}`;
  await fillTwins(redis.connection, [a, b], n);
  const bq = new Queue(b, { connection: redis.connection, prefix: PREFIX });
  await bq.waitUntilReady();
  await cli.config('SET', 'slowlog-log-slower-than', String(slowlogUs));
  const r = {};
  const runOpsctl = async () => {
    await cli.slowlog('RESET');
    const cpu = await redisCpu(cli);
    const run = await timed('/usr/bin/time', ['-f', '%M', OPSCTL_BIN, 'queue', 'clear', a, '--state', 'completed',
      '--yes', '-o', 'json', '--redis', redis.url, '--prefix', PREFIX]);
    r.opsCpu = (await redisCpu(cli)) - cpu;
    r.opsLog = await slowlog(cli);
    r.opsMs = run.ms;
    r.rssKb = Number(run.stderr.trim().split('\n').at(-1));
    r.out = JSON.parse(run.stdout);
  };
  const runBull = async () => {
    await cli.slowlog('RESET');
    const cpu = await redisCpu(cli);
    const started = process.hrtime.bigint();
    r.removed = await bq.clean(0, 0, 'completed');
    r.bullMs = Number(process.hrtime.bigint() - started) / 1e6;
    r.bullCpu = (await redisCpu(cli)) - cpu;
    r.bullLog = await slowlog(cli);
  };
  if (opsctlFirst) { await runOpsctl(); await runBull(); } else { await runBull(); await runOpsctl(); }
  await cli.config('SET', 'slowlog-log-slower-than', '10000');
  await bq.close();
  const left = [await cli.zcard(`${PREFIX}:${a}:completed`), await cli.zcard(`${PREFIX}:${b}:completed`)];
  if (r.out.changed !== n || r.removed.length !== n || left[0] !== 0 || left[1] !== 0) {
    throw new Error(`wrong result at ${n}: opsctl changed ${r.out.changed}, BullMQ ${r.removed.length}, left ${left}`);
  }
  return r;
}

const redis = await startRedis({ maxmemoryPolicy: 'noeviction' });
const cli = redis.client();
await cli.config('SET', 'slowlog-max-len', '2000000');
// BENCH_REDIS_NICE=-10 (root): a diagnostic for a busy shared machine, where the kernel sometimes
// deschedules redis-server in the middle of a script call and SLOWLOG counts that time too.
if (process.env.BENCH_REDIS_NICE) {
  const pid = (await cli.info('server')).match(/process_id:(\d+)/)[1];
  await new Promise((resolve, reject) => execFile('renice', ['-n', process.env.BENCH_REDIS_NICE, '-p', pid],
    (err) => (err ? reject(err) : resolve())));
  process.stderr.write(`redis-server ${pid} reniced to ${process.env.BENCH_REDIS_NICE}\n`);
}
const report = [];
try {
  for (const n of sizes) {
    const timings = [];
    for (let i = 0; i < runs; i++) {
      process.stderr.write(`${n} jobs: run ${i + 1}/${runs + 1}\n`);
      timings.push(await once(redis, cli, n, `t${i}`, 5000, i % 2 === 0));
    }
    process.stderr.write(`${n} jobs: SLOWLOG run\n`);
    const logged = await once(redis, cli, n, 's', 0, true);
    report.push({ n, timings, logged });
  }
} finally {
  await redis.stop();
}

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(`bench/clear: opsctl queue clear --state completed vs Queue.clean(0, 0, 'completed')`);
for (const { n, timings, logged } of report) {
  const best = Math.min(...timings.map((t) => t.opsMs)) / Math.min(...timings.map((t) => t.bullMs));
  console.log(`  ${n} jobs`);
  console.log(`    wall ratio opsctl/BullMQ: median ${median(timings.map((t) => t.opsMs / t.bullMs)).toFixed(2)}, ` +
    `best-of ${best.toFixed(2)} (target <= 0.7); runs (opsctl/BullMQ ms): ` +
    timings.map((t) => `${t.opsMs.toFixed(0)}/${t.bullMs.toFixed(0)}`).join(', '));
  console.log(`    Redis CPU ratio: median ${median(timings.map((t) => t.opsCpu / t.bullCpu)).toFixed(2)} ` +
    `(opsctl/BullMQ ms: ${timings.map((t) => `${t.opsCpu.toFixed(0)}/${t.bullCpu.toFixed(0)}`).join(', ')})`);
  console.log(`    opsctl peak RSS: ${timings.map((t) => (t.rssKb / 1024).toFixed(1)).join(', ')} MB (target <= 20)`);
  const over = timings.flatMap((t) => t.opsLog.filter((e) => e.name === 'EVALSHA' || e.name === 'EVAL').map((e) => e.us));
  console.log(`    timed runs: opsctl script calls >= 5 ms: ${over.length}` +
    (over.length ? ` (longest ${ms(Math.max(...over))} ms)` : ''));
  const scripts = logged.opsLog.filter((e) => e.name === 'EVALSHA' || e.name === 'EVAL').map((e) => e.us).sort((x, y) => x - y);
  const worst = (log) => log.reduce((w, e) => (e.us > w.us ? e : w), { us: 0, name: '-' });
  const [ow, bw] = [worst(logged.opsLog), worst(logged.bullLog)];
  console.log(`    worst Redis call (slowlog-log-slower-than 0): opsctl ${ms(ow.us)} ms (${ow.name}; target <= 5), ` +
    `BullMQ ${ms(bw.us)} ms (${bw.name})`);
  console.log(`    opsctl script calls: ${scripts.length}, median ${ms(pct(scripts, 0.5))} ms, ` +
    `p99 ${ms(pct(scripts, 0.99))} ms, max ${ms(scripts.at(-1))} ms`);
}
