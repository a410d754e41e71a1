// The body of bench/top (run that; it owns the throwaway redis-server):
//
//   node bench/top.mjs REDIS_URL OPSCTL_BIN RUNS TMUX_SOCKET
//
// Seeding through the real, pinned BullMQ (tests/compat/node_modules): 200 queues of 50 waiting jobs
// (Queue.addBulk); 20 of them also get 40 jobs run by a real Worker, a quarter failing, so finished
// sets, metrics and events are what BullMQ writes.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'tests/compat/package.json'));
const { Queue, Worker } = require('bullmq');
const IORedis = require('ioredis');

const [url, bin, runsArg, socket] = process.argv.slice(2);
const RUNS = Number(runsArg ?? 20);
const QUEUES = 200;
const connection = new IORedis(url, { maxRetriesPerRequest: null });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

for (let i = 0; i < QUEUES; i++) {
  const q = new Queue(`q${String(i).padStart(3, '0')}`, { connection });
  await q.addBulk(Array.from({ length: 50 }, (_, n) => ({ name: 'send', data: { n } })));
  if (i < 20) {
    const w = new Worker(q.name, async (job) => { if (job.data.n % 4 === 0) throw new Error('SMTP 421'); }, { connection, concurrency: 10 });
    await new Promise((resolve) => { let done = 0; const f = () => { if (++done >= 40) resolve(); }; w.on('completed', f); w.on('failed', f); });
    await w.close();
  }
  await q.close();
}

// Redis time per tick: one-frame runs (discover + the shared pipelines), commandstats reset before.
await connection.config('RESETSTAT');
const walls = [];
for (let i = 0; i < RUNS; i++) {
  const t = process.hrtime.bigint();
  const r = spawnSync(bin, ['--redis', url, '-o', 'json', 'top', '--once'], { encoding: 'utf8' });
  walls.push(Number(process.hrtime.bigint() - t) / 1e6);
  const doc = JSON.parse(r.stdout);
  if (doc.queues.length !== QUEUES) throw new Error(`tick ${i}: ${doc.queues.length} queues, expected ${QUEUES}`);
}
const stats = await connection.info('commandstats');
let usec = 0;
let calls = 0;
for (const m of stats.matchAll(/^cmdstat_([a-z|]+):calls=(\d+),usec=(\d+)/gm)) {
  if (m[1] === 'config' || m[1] === 'info') continue;  // the bench's own
  calls += Number(m[2]);
  usec += Number(m[3]);
}
const perTickMs = usec / RUNS / 1000;
walls.sort((a, b) => a - b);
console.log(`queues: ${QUEUES}; runs: ${RUNS}`);
console.log(`redis time per tick: ${perTickMs.toFixed(2)} ms (${Math.round(calls / RUNS)} commands per tick, INFO commandstats)`);
console.log(`one-frame run wall time (process start included): median ${walls[Math.floor(RUNS / 2)].toFixed(1)} ms`);

// The live view's own CPU at --interval 2s, in a real terminal.
const tmux = (...a) => execFileSync('tmux', ['-L', socket, ...a], { encoding: 'utf8' });
tmux('new-session', '-d', '-s', 'bench', '-x', '160', '-y', '50', `${bin} --redis ${url} top --interval 2s`);
await sleep(3000);  // the first ticks and the terminal set up
const pid = Number(tmux('list-panes', '-t', 'bench', '-F', '#{pane_pid}').trim());
const ticks = () => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return Number(f[11]) + Number(f[12]); };
const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
const c0 = ticks();
const t0 = Date.now();
await sleep(20000);
const cpu = (ticks() - c0) / hz;
if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'opsctl') throw new Error('the pane runs no opsctl');
const wall = (Date.now() - t0) / 1000;
const share = (100 * cpu) / wall;
tmux('send-keys', '-t', 'bench', 'q');
const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
console.log(`view CPU at --interval 2s: ${share.toFixed(2)} % of one core (${cpu.toFixed(2)} s over ${wall.toFixed(1)} s, /proc/${pid}/stat of ${comm})`);
await connection.quit();
const ok = perTickMs <= 100 && share <= 2;
console.log(ok ? 'within bounds (<= 100 ms of Redis time per tick, <= 2 % CPU)' : 'OUT OF BOUNDS');
process.exit(ok ? 0 : 1);
