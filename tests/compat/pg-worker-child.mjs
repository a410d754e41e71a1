// A BullMQ Worker on the PostgreSQL backend in its own process, for tests that SIGKILL it: it takes
// jobs of argv[2] (a JSON connection) / argv[3] (the queue) with lockDuration 1 s and hangs on each,
// telling the parent the id of the job it took. Killed, it leaves that job active with a lock that
// expires a second later, as an OOM-killed worker does.
import { requireCompat } from '../lib/compat-modules.mjs';

const { createPostgresBackend, Worker } = requireCompat('bullmq');
const connection = JSON.parse(process.argv[2]);
const worker = new Worker(process.argv[3], () => new Promise(() => {}),
  { connection, lockDuration: 1000, stalledInterval: 3600000, skipStalledCheck: true }, createPostgresBackend);
worker.on('error', () => {});
worker.on('active', (job) => process.send?.({ active: job.id }));
