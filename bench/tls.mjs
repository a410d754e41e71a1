// The body of bench/tls (run that; it owns the redis-server and the certificates):
//
//   node bench/tls.mjs PLAIN_URL TLS_URL CA_FILE OPSCTL_BIN [RUNS] [ROUNDS] [SIZE]
//
// Both URLs reach the same redis-server (a plain port and a TLS port), so every difference is the
// transport's: TCP against TLS 1.3 with certificate verification (--tls-ca) and name check.
//
// Figures:
//   connect   wall time of `opsctl queue inspect small -o json` (a 100-job queue: the run is mostly
//             process start, connect, handshake and a few round trips), RUNS runs per transport
//             after two warm-ups, plain and TLS interleaved; median and p90. The median of
//             `opsctl version` is the process start alone, so TLS - plain is the handshake's cost.
//   bulk      `opsctl queue retry bulk --yes` of SIZE failed jobs (seeded by addBulk and a real
//             failing Worker, bench/failed-jobs.mjs; re-failed by a Lua script between runs), ROUNDS
//             rounds, the transport going first alternating; wall time, opsctl's CPU (user + sys,
//             where TLS's encryption shows) and peak RSS from /usr/bin/time, and Redis busy time
//             (INFO commandstats usec of EVALSHA: the same work whatever the transport).
// The ratios are TLS / plain, medians over the runs. Wall times on a shared machine move with its
// load: the load average is printed at the start and the end.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { addJobs, failAll, refail, requireCompat } from './failed-jobs.mjs';

const { Queue } = requireCompat('bullmq');
const IORedis = requireCompat('ioredis');

const [plainUrl, tlsUrl, ca, bin, runsArg, roundsArg, sizeArg] = process.argv.slice(2);
if (!plainUrl || !tlsUrl || !ca || !bin) {
  console.error('usage: node bench/tls.mjs PLAIN_URL TLS_URL CA_FILE OPSCTL_BIN [RUNS] [ROUNDS] [SIZE]');
  process.exit(64);
}
const RUNS = Number(runsArg ?? 30);
const ROUNDS = Number(roundsArg ?? 3);
const SIZE = Number(sizeArg ?? 100000);
const TRANSPORTS = { plain: ['--redis', plainUrl], tls: ['--redis', tlsUrl, '--tls-ca', ca] };

const connection = new IORedis(plainUrl, { maxRetriesPerRequest: null });
const tmp = mkdtempSync(path.join(os.tmpdir(), 'opsctl-bench-tls-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];
let failures = 0;
function check(what, ok, detail) {
  if (!ok) {
    failures += 1;
    console.error(`bench/tls: FAILED ${what}: ${detail}`);
  }
}

// One opsctl process under /usr/bin/time: wall ms, peak RSS (KB), CPU ms, exit code, stdout.
function opsctl(args) {
  const timeFile = path.join(tmp, 'time.txt');
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%M %U %S', bin, ...args],
    { encoding: 'utf8', maxBuffer: 64 << 20, env: { PATH: process.env.PATH, HOME: tmp } });
  const ms = performance.now() - t;
  const [rss, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { ms, rssKb: rss, cpuMs: (user + sys) * 1000, code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function timeVersion() {
  const xs = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    spawnSync(bin, ['version'], { stdio: 'ignore' });
    xs.push(performance.now() - t);
  }
  return median(xs);
}

async function connectBench() {
  const small = new Queue('small', { connection });
  await addJobs(small, 100);
  await small.close();
  const times = { plain: [], tls: [] };
  for (let i = -2; i < RUNS; i++) {
    for (const who of i % 2 ? ['tls', 'plain'] : ['plain', 'tls']) {
      const r = opsctl(['queue', 'inspect', 'small', '-o', 'json', ...TRANSPORTS[who]]);
      let waiting;
      try { waiting = JSON.parse(r.stdout).counts.waiting; } catch { waiting = undefined; }
      // 0, 1 or 2: the verdict of the queue's checks (100 jobs waiting and no worker is one).
      check(`queue inspect over ${who}`, [0, 1, 2].includes(r.code) && waiting === 100,
        `exit ${r.code}, waiting ${waiting}: ${r.stderr}`);
      if (i >= 0) times[who].push(r.ms);
    }
  }
  return times;
}

async function evalshaUsec() {
  const m = /cmdstat_evalsha:calls=\d+,usec=(\d+)/.exec(await connection.info('commandstats'));
  return m ? Number(m[1]) : 0;
}

async function bulkBench() {
  const bulk = new Queue('bulk', { connection });
  const t0 = performance.now();
  await addJobs(bulk, SIZE);
  await failAll(connection, 'bulk', bulk, SIZE);
  const seedS = (performance.now() - t0) / 1000;
  const runs = { plain: [], tls: [] };
  let first = true;
  for (let round = 0; round < ROUNDS; round++) {
    for (const who of round % 2 ? ['tls', 'plain'] : ['plain', 'tls']) {
      if (!first) await refail(connection, 'bulk', SIZE);
      first = false;
      await new Promise((r) => setTimeout(r, 1000));  // Redis frees and purges after big moves
      await connection.config('RESETSTAT');
      const r = opsctl(['queue', 'retry', 'bulk', '--yes', '-o', 'json', ...TRANSPORTS[who]]);
      const busyMs = (await evalshaUsec()) / 1000;
      let changed;
      try { changed = JSON.parse(r.stdout).changed; } catch { changed = undefined; }
      check(`queue retry over ${who}`, r.code === 0 && changed === SIZE, `exit ${r.code}, changed ${changed}: ${r.stderr}`);
      const c = await bulk.getJobCounts('failed', 'waiting');
      check(`jobs after the retry over ${who}`, c.failed === 0 && c.waiting === SIZE, JSON.stringify(c));
      runs[who].push({ ...r, busyMs });
    }
  }
  await bulk.obliterate({ force: true });
  await bulk.close();
  return { runs, seedS };
}

const f0 = (x) => x.toFixed(0);
const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);

async function main() {
  const loadBefore = os.loadavg();
  const info = await connection.info('server');
  const version = JSON.parse(spawnSync(bin, ['version', '-o', 'json'], { encoding: 'utf8' }).stdout).version;
  console.log(`opsctl over TLS against plain TCP, one redis-server with both ports`);
  console.log(`opsctl ${version}; redis ${/redis_version:(\S+)/.exec(info)[1]}; ` +
    `${os.cpus().length} CPUs; load average ${loadBefore.map(f2).join(' ')} at the start`);

  const startMs = timeVersion();
  const conn = await connectBench();
  const [mp, mt] = [median(conn.plain), median(conn.tls)];
  console.log(`\nconnect + handshake: opsctl queue inspect on a 100-job queue, ${RUNS} runs each (ms)`);
  console.log('transport  median     p90');
  console.log(`plain      ${f1(mp).padStart(6)}  ${f1(p90(conn.plain)).padStart(6)}`);
  console.log(`tls        ${f1(mt).padStart(6)}  ${f1(p90(conn.tls)).padStart(6)}`);
  console.log(`ratio TLS/plain ${f2(mt / mp)}; TLS adds ${f1(mt - mp)} ms a run ` +
    `(opsctl version alone: ${f1(startMs)} ms; so connect+inspect ${f1(mp - startMs)} ms plain, ${f1(mt - startMs)} ms TLS)`);

  const { runs, seedS } = await bulkBench();
  console.log(`\nbulk: opsctl queue retry of ${SIZE.toLocaleString('en-US')} failed jobs, ${ROUNDS} round(s) ` +
    `(seeded by addBulk and a failing Worker in ${f1(seedS)} s)`);
  const cols = ['round', 'plain ms', 'TLS ms', 'ratio', 'CPU ms plain/TLS', 'RSS MB plain/TLS', 'Redis busy ms plain/TLS'];
  console.log(cols.join('  '));
  for (let i = 0; i < ROUNDS; i++) {
    const [p, t] = [runs.plain[i], runs.tls[i]];
    const cells = [String(i + 1), f0(p.ms), f0(t.ms), f2(t.ms / p.ms), `${f0(p.cpuMs)} / ${f0(t.cpuMs)}`,
      `${f1(p.rssKb / 1024)} / ${f1(t.rssKb / 1024)}`, `${f0(p.busyMs)} / ${f0(t.busyMs)}`];
    console.log(cells.map((c, k) => c.padStart(cols[k].length)).join('  '));
  }
  // CPU times come in 10 ms steps: a ratio over a zero is left out.
  const ratio = (key) => {
    const xs = runs.plain.filter((p) => p[key] > 0).map((p) => runs.tls[runs.plain.indexOf(p)][key] / p[key]);
    return xs.length ? median(xs) : NaN;
  };
  const [wall, cpu, busy] = ['ms', 'cpuMs', 'busyMs'].map(ratio).map((x) => (Number.isNaN(x) ? '-' : f2(x)));
  console.log(`median ratios TLS/plain: wall ${wall}, opsctl CPU ${cpu}, Redis busy ${busy}`);
  console.log(`\nload average (1 min) ${f2(loadBefore[0])} at the start, ${f2(os.loadavg()[0])} at the end`);
  if (failures) process.exitCode = 1;
}

main().then(() => connection.quit()).catch((e) => {
  console.error(`bench/tls: ${e.stack ?? e.message}`);
  process.exitCode = 1;
  connection.disconnect();
});
