// The body of bench/state (run that): the cost of `opsctl queue resume` on a BullMQ 5 queue whose
// paused list holds 100,000 ids, against BullMQ's own Queue.resume(), with the worst single Redis
// call from SLOWLOG (slowlog-log-slower-than 0) and opsctl's peak RSS (/usr/bin/time -f %M).
//
//   node bench/state.mjs [OPSCTL_BIN]
//
// Seeding: the BullMQ 5 queues are real: Queue (bullmq 5.81.3) paused, then 100,000 jobs added with
// Queue.addBulk (chunks of 1000), which puts them in the paused list as BullMQ 5 does. The twins are
// built the same way. Cases:
//   rename: wait absent, the normal BullMQ 5 pause. opsctl and BullMQ 5 both RENAME paused -> wait.
//   merge:  one id pushed to wait during the pause (a BullMQ 6 producer). BullMQ 5's RENAME would
//           drop it, so opsctl merges 100k ids in 7000-id calls. BullMQ 6's Queue.resume() does the
//           same merge on a BullMQ 6 queue with a legacy paused list: that is the timing reference
//           (its list is 100,000 raw ids pushed with LPUSH; resume never reads the job hashes).
//   merge at 10k ids: the same, to show opsctl's memory does not grow with the list.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { REPO, startRedis } from '../tests/lib/harness.mjs';
import { createRequire } from 'node:module';

const require = createRequire(path.join(REPO, 'tests', 'compat', 'package.json'));
const { Queue } = require('bullmq');
const { Queue: Queue5 } = require('bullmq5');

const here = path.dirname(fileURLToPath(import.meta.url));
const BIN = process.argv[2] ?? process.env.OPSCTL_BIN ?? path.join(here, '..', 'build', 'opsctl');
const N = 100_000;

const redis = await startRedis({ maxmemoryPolicy: 'noeviction' });
const db = redis.client();
const connection = { host: redis.host, port: redis.port };
const closers = [];

async function v5Paused(name, n) {
  const q = new Queue5(name, { connection, prefix: 'b' });
  closers.push(q);
  await q.pause();
  for (let i = 0; i < n; i += 1000) {
    await q.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ name: 'j', data: { i: i + k } })));
  }
  return q;
}

async function v6Legacy(name, n) {
  const q = new Queue(name, { connection, prefix: 'b' });
  closers.push(q);
  await q.add('late', {});
  await q.pause();
  for (let i = 0; i < n; i += 5000) {
    await db.lpush(`b:${name}:paused`, ...Array.from({ length: Math.min(5000, n - i) }, (_, k) => `raw${i + k}`));
  }
  return q;
}

async function slowlogReset() {
  await db.config('SET', 'slowlog-log-slower-than', '0');
  await db.config('SET', 'slowlog-max-len', '100000');
  await db.slowlog('RESET');
}
// The worst call since the reset: [microseconds, command name], excluding SLOWLOG/CONFIG themselves.
async function worstCall() {
  let worst = [0, ''];
  const scripts = [];
  for (const [, , us, args] of await db.slowlog('GET', '-1')) {
    const cmd = String(args[0]).toUpperCase();
    if (['SLOWLOG', 'CONFIG'].includes(cmd)) continue;
    if (cmd.startsWith('EVAL')) scripts.unshift(us);
    if (us > worst[0]) worst = [us, cmd.startsWith('EVAL') ? `${cmd} (script)` : cmd];
  }
  worst.push(scripts);
  return worst;
}

async function opsctl(queue) {
  await slowlogReset();
  const args = ['-f', '%M', BIN, 'queue', 'resume', queue, '--redis', redis.url, '--prefix', 'b', '--yes', '-o', 'json',
    '--audit-log', '/dev/null'];
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', args, { encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`opsctl failed: ${r.stderr}`);
  const rssKb = Number(r.stderr.trim().split('\n').at(-1));
  return { ms, rssKb, out: JSON.parse(r.stdout), worst: await worstCall() };
}

async function bullmq(q) {
  await slowlogReset();
  const t0 = process.hrtime.bigint();
  await q.resume();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, worst: await worstCall() };
}

const fmtWorst = ([us, cmd, scripts]) => `${(us / 1000).toFixed(3)} ms (${cmd})` +
  (scripts.length > 1 ? `; script calls in order (µs): ${scripts.join(' ')}` : '');
function report(label, o, b) {
  console.log(`${label}`);
  console.log(`  opsctl: ${o.ms.toFixed(1)} ms wall (process start and connect included), ${o.out.calls} script call(s), ` +
    `${o.out.jobs_moved} ids moved, peak RSS ${(o.rssKb / 1024).toFixed(1)} MB, worst Redis call ${fmtWorst(o.worst)}`);
  if (b) {
    console.log(`  BullMQ: ${b.ms.toFixed(1)} ms (in-process, open connection), worst Redis call ${fmtWorst(b.worst)}`);
    console.log(`  wall ratio opsctl/BullMQ: ${(o.ms / b.ms).toFixed(2)}`);
  }
}

function baseline() {  // the cost of starting opsctl at all
  const times = [];
  for (let i = 0; i < 5; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(BIN, ['--help'], { encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return times.sort((a, b) => a - b)[2];
}

try {
  console.log(`opsctl --help (process start, no Redis): ${baseline().toFixed(1)} ms median of 5`);
  const t = Date.now();
  const [a5, b5] = [await v5Paused('v5a', N), await v5Paused('v5b', N)];
  console.log(`seeded 2 x ${N} BullMQ 5 jobs in paused lists (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  report(`rename: BullMQ 5 queue, paused list of ${N}, wait absent (vs BullMQ 5 Queue.resume())`,
    await opsctl('v5a'), await bullmq(b5));
  if ((await db.llen('b:v5a:wait')) !== N) throw new Error('v5a: wait does not hold every job');

  // Pause again (the paused list is wait renamed), then a late id lands in wait.
  await a5.pause();
  await db.lpush('b:v5a:wait', 'late');
  const merge = await opsctl('v5a');
  if ((await db.llen('b:v5a:wait')) !== N + 1) throw new Error('v5a: merge lost ids');
  const b6 = await v6Legacy('v6b', N);
  report(`merge: BullMQ 5 queue, paused list of ${N} + 1 id in wait (vs BullMQ 6 Queue.resume() of the same merge)`,
    merge, await bullmq(b6));

  const small = await v5Paused('v5s', N / 10);
  await db.lpush('b:v5s:wait', 'late');
  report(`merge at ${N / 10} ids (memory check)`, await opsctl('v5s'));
  void small;
} finally {
  for (const c of closers) await c.close();
  await redis.stop();
}
