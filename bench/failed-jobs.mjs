// Failed jobs for the retry benches (bench/retry.mjs, bench/tls.mjs), seeded through the real,
// pinned BullMQ (tests/compat/node_modules): Queue.addBulk in chunks of 1000, then a real Worker
// (concurrency 200, attempts 1) fails every job with one of four reasons, so the failed set, the job
// hashes (failedReason, stacktrace, finishedOn, processedOn, atm, ats) and the events are exactly
// what BullMQ writes. Between rounds, refail() fails the retried jobs again by a Lua script (5000
// per call) that writes what moveToFinished writes for a failure: finishedOn, processedOn,
// failedReason, the job in `failed` scored by finishedOn, out of `wait` (not atm or the stacktrace,
// which retry never reads; a Worker would take ~15 s per 100k jobs and round).
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const requireCompat = createRequire(path.join(root, 'tests/compat/package.json'));
const { Worker } = requireCompat('bullmq');

export const REASONS = ['SMTP 421 Too many connections', 'connect ETIMEDOUT 10.0.3.17:587',
  "Cannot read properties of undefined (reading 'email')", 'SMTP 550 5.1.1 Recipient address rejected'];

// n jobs in `queue` (a BullMQ Queue), waiting.
export async function addJobs(queue, n) {
  for (let i = 0; i < n; i += 1000) {
    const k = Math.min(1000, n - i);
    await queue.addBulk(Array.from({ length: k }, (_, j) => {
      const u = i + j;
      return { name: 'send-welcome', opts: { attempts: 1 },
        data: { userId: `usr_${100000 + u}`, recipient: { email: `user${u}@example.com`, name: `User ${u}` },
          template: 'welcome-v3', locale: 'en-US', requestId: `req_${u.toString(36)}` } };
    }));
  }
}

// Runs a failing Worker on queue `name` until `n` of its jobs are failed.
export async function failAll(connection, name, queue, n) {
  let seq = 0;
  const worker = new Worker(name, async () => { throw new Error(REASONS[seq++ % REASONS.length]); },
    { connection, concurrency: 200 });
  for (;;) {
    if ((await queue.getJobCountByTypes('failed')) >= n) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await worker.close();
}

const REFAIL = `
  local ids = redis.call('LRANGE', KEYS[1], -5000, -1)
  for i, id in ipairs(ids) do
    local t = tonumber(ARGV[2]) + i
    redis.call('HSET', ARGV[1] .. id, 'processedOn', t, 'finishedOn', t, 'failedReason', ARGV[3])
    redis.call('ZADD', KEYS[2], t, id)
  end
  redis.call('LTRIM', KEYS[1], 0, -(#ids + 1))
  return #ids`;

// Fails the n jobs of queue `name`'s wait list again (see the header).
export async function refail(connection, name, n) {
  let done = 0;
  while (done < n) {
    const base = Date.now() - 3600_000 + done;
    const k = await connection.eval(REFAIL, 2, `bull:${name}:wait`, `bull:${name}:failed`, `bull:${name}:`, base, REASONS[0]);
    if (k === 0) break;
    done += k;
  }
  if (done !== n) throw new Error(`re-failed ${done} of ${n} in ${name}`);
}
