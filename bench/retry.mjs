// The body of bench/retry (run that; it owns the throwaway redis-server):
//
//   node bench/retry.mjs REDIS_URL OPSCTL_BIN [ROUNDS]
//
// What it measures: `opsctl queue retry` on one queue against BullMQ's own Queue.retryJobs() on a
// twin, at 100,000 failed jobs (and 10,000, to show opsctl's memory does not grow with the queue).
//
// Seeding (bench/failed-jobs.mjs): Queue.addBulk and a real failing Worker, then between rounds the
// retried jobs failed again by a Lua script that writes what moveToFinished writes for a failure.
//
// Figures, per round and size:
//   wall      opsctl: the whole process, spawn to exit (start, connect, plan, confirmation skipped
//             with --yes, every batch, output). BullMQ: `await queue.retryJobs({state:'failed'})`
//             in this process on an open connection (no process start, no connect).
//   RSS       opsctl's peak resident set, from /usr/bin/time -f %M.
//   worst     the longest single Redis command of the run, from SLOWLOG. Redis 7 also logs every
//             command a script runs, so a threshold of 0 would flood the log with ~300k sub-commands
//             per run and evict the script calls; the threshold is 200 us instead: a command that
//             took less cannot be the worst one; p50/p99 are over the logged script calls. Redis
//             busy time: INFO commandstats usec of EVALSHA: the work each side asks of Redis, which
//             the load of the machine barely changes (wall time does; the load average is printed).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { addJobs, failAll, refail as refailWith, requireCompat as require } from './failed-jobs.mjs';

const { Queue } = require('bullmq');
const IORedis = require('ioredis');

const [url, bin, roundsArg] = process.argv.slice(2);
if (!url || !bin) {
  console.error('usage: node bench/retry.mjs REDIS_URL OPSCTL_BIN [ROUNDS]');
  process.exit(64);
}
const ROUNDS = Number(roundsArg ?? 5);
const SIZES = [100000, 10000];
const THRESHOLD_US = 200;
const connection = new IORedis(url, { maxRetriesPerRequest: null });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'opsctl-bench-retry-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const refail = (name, n) => refailWith(connection, name, n);

async function stats() {
  const info = await connection.info('commandstats');
  const m = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(info);
  const calls = m ? Number(m[1]) : 0;
  const usec = m ? Number(m[2]) : 0;
  const log = await connection.slowlog('GET', 100000);
  let worst = 0;
  for (const [, , us] of log) worst = Math.max(worst, us);
  const evals = log.filter(([, , , argv]) => /^evalsha$/i.test(String(argv[0]))).map(([, , us]) => us).sort((a, b) => a - b);
  const p50 = evals.length ? evals[evals.length >> 1] : 0;
  const p99 = evals.length ? evals[Math.min(evals.length - 1, Math.floor(evals.length * 0.99))] : 0;
  return { calls, usec, worst, p50, p99, logged: log.length };
}

async function reset() {
  await connection.slowlog('RESET');
  await connection.config('RESETSTAT');
}

function runOpsctl(queue) {
  const timeFile = path.join(tmp, 'time.txt');
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%M', bin, 'queue', 'retry', queue, '--yes', '-o', 'json'],
    { env: { ...process.env, REDIS_URL: url }, encoding: 'utf8', maxBuffer: 64 << 20 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`opsctl queue retry ${queue}: exit ${r.status}: ${r.stderr}`);
  const doc = JSON.parse(r.stdout);
  const rssKb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  return { ms, rssKb, changed: doc.changed };
}

async function expectAllWaiting(queue, n, who) {
  const c = await queue.getJobCounts('failed', 'waiting');
  if (c.failed !== 0 || c.waiting !== n) throw new Error(`${who}: ${JSON.stringify(c)}, expected ${n} waiting`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function main() {
  const info = await connection.info('server');
  const loadBefore = os.loadavg()[0];
  await connection.config('SET', 'slowlog-log-slower-than', String(THRESHOLD_US));
  await connection.config('SET', 'slowlog-max-len', '100000');
  const version = JSON.parse(spawnSync(bin, ['version', '-o', 'json'], { encoding: 'utf8' }).stdout).version;
  console.log(`opsctl queue retry vs BullMQ Queue.retryJobs(): ${ROUNDS} round(s) per size`);
  console.log(`opsctl ${version}; redis ${/redis_version:(\S+)/.exec(info)[1]}; BullMQ ${require('bullmq/package.json').version}; ${os.cpus().length} CPUs`);

  const rows = [];
  for (const n of SIZES) {
    const ops = new Queue(`ops${n}`, { connection });
    const bmq = new Queue(`bmq${n}`, { connection });
    const t0 = performance.now();
    await addJobs(ops, n);
    await addJobs(bmq, n);
    await failAll(connection, `ops${n}`, ops, n);
    await failAll(connection, `bmq${n}`, bmq, n);
    const res = { n, ops: [], bmq: [], seedS: (performance.now() - t0) / 1000 };
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate who goes first. Each side's queue is (re-)failed just before its own run and
      // left to settle for a second (Redis frees and purges memory after big moves), so neither
      // side runs right after the other's setup work.
      const order = round % 2 ? ['bmq', 'ops'] : ['ops', 'bmq'];
      for (const who of order) {
        if (round > 0) await refail(`${who}${n}`, n);
        await new Promise((r) => setTimeout(r, 1000));
        await reset();
        if (who === 'ops') {
          const r = runOpsctl(`ops${n}`);
          const st = await stats();
          if (r.changed !== n) throw new Error(`opsctl changed ${r.changed} of ${n}`);
          await expectAllWaiting(ops, n, 'opsctl');
          res.ops.push({ ...r, ...st });
        } else {
          const t = performance.now();
          await bmq.retryJobs({ state: 'failed' });
          const ms = performance.now() - t;
          const st = await stats();
          await expectAllWaiting(bmq, n, 'BullMQ');
          res.bmq.push({ ms, ...st });
        }
      }
    }
    rows.push(res);
    await ops.obliterate({ force: true });
    await bmq.obliterate({ force: true });
    await ops.close();
    await bmq.close();
  }

  for (const r of rows) {
    console.log(`\n${r.n.toLocaleString('en-US')} failed jobs (seeded by addBulk and a failing Worker in ${r.seedS.toFixed(1)} s)`);
    const cols = ['round', 'opsctl ms', 'BullMQ ms', 'ratio', 'RSS MB', 'worst ms ops/BMQ', 'call p50/p99 ms ops',
      'p50/p99 BMQ', 'calls ops/BMQ', 'Redis busy ms ops/BMQ'];
    console.log(cols.join('  '));
    for (let i = 0; i < r.ops.length; i++) {
      const o = r.ops[i];
      const b = r.bmq[i];
      const cells = [String(i + 1), o.ms.toFixed(0), b.ms.toFixed(0), (o.ms / b.ms).toFixed(2), (o.rssKb / 1024).toFixed(1),
        `${(o.worst / 1000).toFixed(2)} / ${(b.worst / 1000).toFixed(2)}`,
        `${(o.p50 / 1000).toFixed(2)} / ${(o.p99 / 1000).toFixed(2)}`, `${(b.p50 / 1000).toFixed(2)} / ${(b.p99 / 1000).toFixed(2)}`,
        `${o.calls} / ${b.calls}`, `${(o.usec / 1000).toFixed(0)} / ${(b.usec / 1000).toFixed(0)}`];
      console.log(cells.map((c, k) => c.padStart(cols[k].length)).join('  '));
    }
    const ratio = median(r.ops.map((o, i) => o.ms / r.bmq[i].ms));
    const busy = median(r.ops.map((o, i) => o.usec / r.bmq[i].usec));
    const rss = Math.max(...r.ops.map((o) => o.rssKb)) / 1024;
    const worst = Math.max(...r.ops.map((o) => o.worst)) / 1000;
    const worstMedian = median(r.ops.map((o) => o.worst)) / 1000;
    const worstBmq = median(r.bmq.map((b) => b.worst)) / 1000;
    console.log(`median wall ratio opsctl/BullMQ ${ratio.toFixed(2)} (target <= 0.7: ${ratio <= 0.7 ? 'ok' : 'OVER'}); ` +
      `median Redis busy ratio ${busy.toFixed(2)}`);
    console.log(`peak RSS ${rss.toFixed(1)} MB (target <= 20: ${rss <= 20 ? 'ok' : 'OVER'}); ` +
      `worst opsctl call ${worst.toFixed(2)} ms, median over rounds ${worstMedian.toFixed(2)} ms (target <= 5: ` +
      `${worst <= 5 ? 'ok' : 'OVER'}; BullMQ's median ${worstBmq.toFixed(2)} ms)`);
  }
  const [big, small] = rows;
  const rssBig = Math.max(...big.ops.map((o) => o.rssKb));
  const rssSmall = Math.max(...small.ops.map((o) => o.rssKb));
  console.log(`\nload average (1 min) ${loadBefore.toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end`);
  console.log(`RSS 10k -> 100k: ${(rssSmall / 1024).toFixed(1)} MB -> ${(rssBig / 1024).toFixed(1)} MB (${rssBig <= rssSmall * 1.1 ? 'flat' : 'GROWS'})`);
}

main().then(() => connection.quit()).catch((e) => {
  console.error(`bench/retry: ${e.stack ?? e.message}`);
  process.exitCode = 1;
  connection.disconnect();
});
