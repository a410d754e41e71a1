// Per-verb fixtures of the integration suites: a queue in the state a verb works on.
//
// Raw jobs (no BullMQ): a job hash (harness seedJob) plus its place in one state's key, as BullMQ
// leaves it; `redis` is a startRedis()/useRedis() server, fields an object of strings (undefined
// skipped). Live jobs: real BullMQ queues and workers from the pinned compat install.
import { spawn } from 'node:child_process';
import path from 'node:path';

import { REPO, seedJob } from './harness.mjs';

// Waiting (what queue inspect counts as backlog, what queue resume wakes): LPUSH onto wait, so the
// first one seeded sits at the right end and runs first.
export async function seedWaiting(redis, queue, id, fields, prefix = 'bull') {
  await seedJob(redis, queue, id, fields, prefix);
  await redis.cli('LPUSH', `${prefix}:${queue}:wait`, String(id));
}

// Jobs 1..n waiting, fields(i) for job i: a backlog.
export async function seedBacklog(redis, queue, n, fields, prefix = 'bull') {
  for (let i = 1; i <= n; i++) await seedWaiting(redis, queue, i, fields(i), prefix);
}

// Failed (what queue retry and job retry pick up): in the failed zset, scored by its finishedOn.
export async function seedFailed(redis, queue, id, fields, prefix = 'bull') {
  await seedJob(redis, queue, id, fields, prefix);
  await redis.cli('ZADD', `${prefix}:${queue}:failed`, String(fields.finishedOn), String(id));
}

// Completed (what queue clear --state completed removes): in the completed zset, by its finishedOn.
export async function seedCompleted(redis, queue, id, fields, prefix = 'bull') {
  await seedJob(redis, queue, id, fields, prefix);
  await redis.cli('ZADD', `${prefix}:${queue}:completed`, String(fields.finishedOn), String(id));
}

// Delayed until `due` (epoch ms; what queue promote and job promote move): BullMQ's delayed score
// is due * 0x1000 (the low 12 bits order jobs due in the same millisecond).
export async function seedDelayed(redis, queue, id, fields, due, prefix = 'bull') {
  await seedJob(redis, queue, id, fields, prefix);
  await redis.cli('ZADD', `${prefix}:${queue}:delayed`, String(due * 0x1000), String(id));
}

// Active with no lock (a worker that died: what job unstick finds and queue inspect calls stalled).
export async function seedStuck(redis, queue, id, fields, prefix = 'bull') {
  await seedJob(redis, queue, id, fields, prefix);
  await redis.cli('LPUSH', `${prefix}:${queue}:active`, String(id));
}

// A paused BullMQ queue `name` with n waiting jobs ('send', data {i}), closed with the suite
// (useRedis closers). Queue is the BullMQ class to use.
export async function pausedBacklog(redis, Queue, prefix, n, name = 'emails') {
  const q = new Queue(name, { connection: { host: redis.host, port: redis.port }, prefix });
  redis.closers.push(q);
  await q.pause();
  await q.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'send', data: { i } })));
  return q;
}

// A stuck active job, for real: a Worker in a child process (lockDuration 2 s) takes one job of
// `name` and hangs, and is SIGKILLed once the job is active; its lock then expires by itself.
// Returns the job's id.
export async function killedWorkerJob(redis, prefix, name) {
  const code = `
    import { Worker } from 'bullmq';
    new Worker(${JSON.stringify(name)}, async (job) => { console.log('active ' + job.id); await new Promise(() => {}); },
      { connection: { host: '${redis.host}', port: ${redis.port} }, prefix: ${JSON.stringify(prefix)},
        lockDuration: 2000, stalledInterval: 600000, drainDelay: 30 });`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code],
    { cwd: path.join(REPO, 'tests', 'compat'), stdio: ['ignore', 'pipe', 'inherit'] });
  const id = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => { const m = /active (\S+)/.exec(String(d)); if (m) resolve(m[1]); });
    child.on('exit', (c) => reject(new Error(`worker child exited early (${c})`)));
  });
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  return id;
}
