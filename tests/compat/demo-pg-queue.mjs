#!/usr/bin/env node
// For scripts/demo: a BullMQ queue kept in PostgreSQL (BullMQ 6's backend). Creates BullMQ's schema
// `bullmq` with BullMQ's own migrations in the database of the URL, then a queue `invoices` of 30
// jobs whose real BullMQ Worker fails 12 of them ("PDF renderer timeout after 30s"), and stops the
// worker, leaving the failures for opsctl to find and retry.
//
//   PGPASSWORD=... node tests/compat/demo-pg-queue.mjs postgresql://app@127.0.0.1:PORT/appdb
import pg from 'pg';
import { Queue, Worker, createPostgresBackend, runMigrations } from 'bullmq';

const url = new URL(process.argv[2] ?? process.env.DATABASE_URL);
const conn = {
  host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username),
  password: decodeURIComponent(url.password) || process.env.PGPASSWORD, database: url.pathname.slice(1),
};
const client = new pg.Client(conn);
await client.connect();
try {
  await runMigrations(client, 'bullmq');
} finally {
  await client.end();
}
const connection = { ...conn, schema: 'bullmq', max: 2 };
const queue = new Queue('invoices', { connection }, createPostgresBackend);
await queue.addBulk(Array.from({ length: 30 }, (_, i) => ({ name: 'render-pdf', data: { invoice: 1000 + i } })));
const worker = new Worker('invoices', async (job) => {
  if (job.data.invoice % 5 < 2) throw new Error('PDF renderer timeout after 30s');
  return { pages: 2 };
}, { connection, concurrency: 5 }, createPostgresBackend);
const deadline = Date.now() + 20000;
for (;;) {
  const c = await queue.getJobCounts('completed', 'failed');
  if (c.completed + c.failed === 30) break;
  if (Date.now() > deadline) throw new Error(`the worker did not finish the 30 jobs: ${JSON.stringify(c)}`);
  await new Promise((r) => setTimeout(r, 100));
}
await worker.close();
await queue.close();
console.log('invoices: 30 jobs, 18 completed, 12 failed (PDF renderer timeout after 30s); no worker left');
