#!/usr/bin/env node
// Seeds a realistic BullMQ incident into a Redis for scripts/demo, using the real, pinned BullMQ.
//
//   node tests/compat/seed-incident.mjs redis://127.0.0.1:PORT [prefix]
//
// The story: the transactional e-mail worker ran fine for a while (completed jobs), then the SMTP
// provider started throttling us ("SMTP 421 Too many connections") while a buggy producer was
// enqueueing jobs without a recipient (TypeError in the worker). The worker then died, and signups
// kept coming: `emails` has a backlog of ~120 waiting jobs, 30 failed jobs with two reasons, a
// scheduled digest (delayed 1h) and no worker. Separately, someone paused `reports` during a
// database migration and forgot to resume it.
//
// Every job goes through BullMQ itself: Queue.add/addBulk for producers, a real Worker (attempts: 1)
// whose processor throws for the failures, Queue.pause() for the pause. Nothing writes keys by hand.
// Prints a one-line summary on stdout and exits once every connection is closed.
import { Queue, Worker } from 'bullmq';
import IORedis from 'ioredis';

const url = process.argv[2] ?? process.env.REDIS_URL;
const prefix = process.argv[3] ?? process.env.OPSCTL_PREFIX ?? 'bull';
if (!url) {
  console.error('usage: seed-incident.mjs REDIS_URL [prefix]');
  process.exit(64);
}

// Deterministic pseudo-random data (the same incident on every run).
let seed = 20240611;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const firstNames = ['ana', 'bruno', 'chen', 'dmitri', 'eva', 'farah', 'gus', 'hana', 'ivan', 'julia',
  'kofi', 'lena', 'marco', 'nadia', 'omar', 'priya', 'quinn', 'rosa', 'sven', 'tomoko'];
const domains = ['gmail.com', 'outlook.com', 'yahoo.com', 'proton.me', 'fastmail.com', 'acme-corp.io'];
const locales = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'pt-BR', 'ja-JP'];
let nextUser = 48213;
const recipient = () => {
  const first = pick(firstNames);
  return { email: `${first}.${Math.floor(rand() * 900 + 100)}@${pick(domains)}`, name: first[0].toUpperCase() + first.slice(1) };
};
const welcome = () => ({ userId: `usr_${nextUser++}`, recipient: recipient(), template: 'welcome-v3', locale: pick(locales) });
const reset = () => ({ userId: `usr_${Math.floor(rand() * 48000 + 1000)}`, recipient: recipient(), template: 'password-reset',
  resetTokenId: `prt_${Math.floor(rand() * 1e9).toString(36)}`, expiresInMinutes: 30 });
const receipt = () => ({ orderId: `ord_${Math.floor(rand() * 1e6 + 7e6)}`, recipient: recipient(), template: 'receipt',
  amountCents: Math.floor(rand() * 20000 + 499), currency: pick(['USD', 'EUR', 'GBP']) });
// What the signup service's latest (buggy) release enqueues: no recipient, only the user id.
const brokenWelcome = () => ({ userId: `usr_${nextUser++}`, template: 'welcome-v3', locale: pick(locales) });

const jobOpts = { attempts: 1, removeOnComplete: false, removeOnFail: false };
const connection = new IORedis(url, { maxRetriesPerRequest: null, lazyConnect: false });
const emails = new Queue('emails', { connection, prefix, defaultJobOptions: jobOpts });
const reports = new Queue('reports', { connection, prefix, defaultJobOptions: jobOpts });

// A fake SMTP transport: the provider accepts the first 15 messages, then throttles every connection.
let smtpBudget = 15;
async function sendMail(job) {
  const to = job.data.recipient.email; // TypeError here for the broken producer's jobs
  await job.log(`connecting to smtp.mailrelay.example:587 for ${to}`);
  if (smtpBudget <= 0) {
    await job.log('smtp.mailrelay.example:587 replied 421 4.7.0 Too many connections from your IP');
    throw new Error('SMTP 421 Too many connections');
  }
  smtpBudget -= 1;
  await job.log('250 2.0.0 OK queued');
  return { messageId: `<${job.id}.${Date.now()}@mailrelay.example>`, accepted: [to] };
}

// Phase 1: 15 good sends, then 22 throttled and 8 malformed ones, processed by a real Worker.
const phase1 = [];
for (let i = 0; i < 15; i++) phase1.push({ name: 'send-receipt', data: receipt() });
for (let i = 0; i < 30; i++) {
  const broken = i % 4 === 1; // 8 of the 30
  phase1.push(broken ? { name: 'send-welcome', data: brokenWelcome() }
    : { name: i % 5 === 0 ? 'send-password-reset' : 'send-welcome', data: i % 5 === 0 ? reset() : welcome() });
}
const expectedFailed = 30;
const expectedCompleted = phase1.length - expectedFailed;

let finished = 0;
let allDone;
const done = new Promise((resolve) => { allDone = resolve; });
const worker = new Worker('emails', sendMail, { connection, prefix, concurrency: 1, name: 'email-worker-1' });
const onFinished = () => { if (++finished === phase1.length) allDone(); };
worker.on('completed', onFinished);
worker.on('failed', onFinished);
worker.on('error', (err) => console.error('seed-incident: worker error:', err.message));

await emails.addBulk(phase1.map((j) => ({ ...j, opts: jobOpts })));
const timeout = setTimeout(() => {
  console.error(`seed-incident: worker finished only ${finished}/${phase1.length} jobs in 30s`);
  process.exit(3);
}, 30000);
await done;
clearTimeout(timeout);
await worker.close(); // the worker "dies": from now on nobody consumes `emails`

// Phase 2: signups keep coming for the last ~20 minutes. Timestamps are backdated (BullMQ's
// `timestamp` job option) so that "oldest waiting" tells the truth about the backlog's age.
const now = Date.now();
const backlog = [];
for (let i = 0; i < 120; i++) {
  const r = rand();
  const [name, data] = r < 0.7 ? ['send-welcome', welcome()] : r < 0.9 ? ['send-password-reset', reset()] : ['send-receipt', receipt()];
  backlog.push({ name, data, opts: { ...jobOpts, timestamp: now - Math.round((120 - i) * 10_000) } });
}
await emails.addBulk(backlog);
await emails.add('send-weekly-digest', { segment: 'active-last-7d', template: 'digest-weekly', recipients: 18234 },
  { ...jobOpts, delay: 60 * 60 * 1000 });

// `reports`: paused during last night's migration, then a few jobs queued behind the pause.
const last = new Date(now);
last.setUTCDate(1);
last.setUTCMonth(last.getUTCMonth() - 1);
const month = last.toISOString().slice(0, 7); // last month, e.g. 2024-05
const monthEnd = new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
await reports.pause();
await reports.addBulk([
  { name: 'generate-monthly-report', data: { accountId: 'acc_1042', month, format: 'pdf' } },
  { name: 'generate-monthly-report', data: { accountId: 'acc_2210', month, format: 'pdf' } },
  { name: 'generate-monthly-report', data: { accountId: 'acc_3177', month, format: 'csv' } },
  { name: 'export-invoices', data: { accountId: 'acc_1042', from: `${month}-01`, to: monthEnd } },
].map((j) => ({ ...j, opts: jobOpts })));

const counts = await emails.getJobCounts('waiting', 'failed', 'completed', 'delayed');
const rcounts = await reports.getJobCounts('waiting');
if (counts.failed !== expectedFailed || counts.completed !== expectedCompleted) {
  console.error(`seed-incident: expected ${expectedFailed} failed and ${expectedCompleted} completed, got`, counts);
  process.exitCode = 3;
}
console.log(`seeded: emails waiting=${counts.waiting} failed=${counts.failed} completed=${counts.completed} ` +
  `delayed=${counts.delayed}; reports paused, waiting=${rcounts.waiting}`);

await emails.close();
await reports.close();
await connection.quit();
