#!/usr/bin/env node
// For scripts/demo: a job stuck in `active` because its worker died. Adds one job to `thumbnails`,
// lets a real BullMQ Worker in a child process take it (lockDuration 2 s), then kills that process
// with SIGKILL: the job stays in active and its lock expires 2 s later, exactly what an on-call
// engineer finds after an OOM kill. Prints the stuck job's id.
//
//   node tests/compat/demo-stuck.mjs redis://127.0.0.1:PORT [QUEUE]   (default queue: thumbnails)
import { fork } from 'node:child_process';
import { Queue, Worker } from 'bullmq';

const url = new URL(process.argv[2] ?? process.env.REDIS_URL);
const queueName = process.argv[3] && process.argv[3] !== '--child' ? process.argv[3] : (process.argv[4] ?? 'thumbnails');
const connection = { host: url.hostname, port: Number(url.port || 6379), password: url.password || undefined };

if (process.argv.includes('--child')) {
  // The doomed worker: takes the job and hangs on it, as a worker stuck on a dead NFS mount would.
  const worker = new Worker(queueName, () => new Promise(() => {}), {
    connection, lockDuration: 2000, stalledInterval: 3600000,
  });
  worker.on('active', (job) => process.send?.({ active: job.id }));
} else {
  const queue = new Queue(queueName, { connection });
  const job = await queue.add('resize', { imageId: 'img_88412', sizes: [64, 256, 1024] });
  const child = fork(new URL(import.meta.url).pathname, [process.argv[2], '--child', queueName], { stdio: 'ignore' });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the worker never took the job')), 10000);
    child.on('message', (m) => { if (m.active === job.id) { clearTimeout(timer); resolve(); } });
  });
  child.kill('SIGKILL');
  await queue.close();
  console.log(job.id);
}
