#!/usr/bin/env node
// For scripts/demo: the application's workers, restarted after the incident was diagnosed. One real
// BullMQ Worker per demo queue prints a line per finished job, so the demo can show that what opsctl
// retried, resumed or unstuck is picked up at once. skipStalledCheck: recovering stuck jobs is left to
// `opsctl job unstick` in the demo, not to BullMQ's own periodic checker.
//
//   node tests/compat/demo-worker.mjs redis://127.0.0.1:PORT   (runs until killed)
import { Worker } from 'bullmq';

const url = new URL(process.argv[2] ?? process.env.REDIS_URL);
const connection = { host: url.hostname, port: Number(url.port || 6379), password: url.password || undefined };

for (const name of ['emails', 'reports', 'thumbnails']) {
  const worker = new Worker(name, async (job) => {
    await new Promise((r) => setTimeout(r, 5));
    // The SMTP throttling is over, but the broken producer's jobs still have no recipient.
    if (name === 'emails' && job.name.startsWith('send-') && job.data.recipients === undefined) {
      const to = job.data.recipient.email;
      return { sentTo: to };
    }
    return { ok: true };
  }, { connection, concurrency: 20, skipStalledCheck: true, name: 'demo' });
  worker.on('completed', (job) => console.log(`[worker] ${name}: job ${job.id} (${job.name}) completed`));
  worker.on('failed', (job, err) => console.log(`[worker] ${name}: job ${job?.id} failed: ${err.message}`));
}
process.on('SIGTERM', () => process.exit(0));
