// Helpers of the removal suites (clear, clear --all, job remove): twin queues built the same way
// with BullMQ, dumps normalised for comparison, and the opsctl command line for a prefix.
import assert from 'node:assert/strict';

import * as bullmq from 'bullmq';

import { dumpQueue } from '../lib/dump.mjs';
import { assertExited, describeRun, run, waitFor } from '../lib/harness.mjs';

// Dumps of one or more queues under a prefix, with every queue name replaced (in key names and in
// values such as parentKey or a parent's :dependencies members) by its role: names maps
// queue name -> placeholder, so the dumps of twins built under different names compare equal.
// Twins are built a few milliseconds apart, so times inside values are masked too: epoch ms in
// any value (delayed events, scheduler ids and offsets), and the due time of delayed scores
// (due·4096 + seq keeps its seq).
export async function dumpAs(client, prefix, names) {
  const out = {};
  for (const [name, role] of Object.entries(names)) {
    const dump = await dumpQueue(client, prefix, name);
    if (dump.delayed) {
      dump.delayed.value = dump.delayed.value.map(([id, score]) => [id, `<due>*4096+${BigInt(score) % 4096n}`]);
    }
    let text = JSON.stringify(dump).replace(/(?<![\d.])\d{13}(\.\d+)?(?![\d.])/g, '<time>');
    for (const [other, otherRole] of Object.entries(names)) {
      // "<prefix>:<name>" as a whole word: in job keys, parentKey, opts.parent.queue, parent.queueKey
      const escaped = `${prefix}:${other}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      text = text.replace(new RegExp(`${escaped}(?![\\w-])`, 'g'), `${prefix}:<${otherRole}>`);
    }
    out[role] = JSON.parse(text);
  }
  return out;
}

// Asserts the two sets of queues hold the same data: a maps role -> name, b the same roles.
// mask(dump), when given, blanks what the test knows to depend on the build time in both dumps.
export async function assertTwins(client, prefix, a, b, { message = 'dumps differ', mask = () => {} } = {}) {
  const invert = (m) => Object.fromEntries(Object.entries(m).map(([role, name]) => [name, role]));
  const da = await dumpAs(client, prefix, invert(a));
  const db = await dumpAs(client, prefix, invert(b));
  mask(da);
  mask(db);
  assert.deepEqual(da, db, message);
  return da;
}

// A dedup key that outlives the job: only removal frees it.
export const TTL = { ttl: 600000 };

// Completed and failed jobs with logs and dedup keys, and a flow: child K1 completes, child K2
// fails, so parent P stays in waiting-children with K2 pending. redis: {connection, closers} (a
// useRedis handle, or a TLS server's connection with the suite's closers); the Queue it returns
// and the FlowProducer are pushed onto closers.
export async function buildFinished({ connection, closers }, prefix, name) {
  const q = new bullmq.Queue(name, { connection, prefix });
  closers.push(q);
  const flow = new bullmq.FlowProducer({ connection, prefix });
  closers.push(flow);
  await q.add('ok', { n: 1 }, { jobId: 'c1', deduplication: { id: 'dc1', ...TTL } });
  await q.add('bad', { fail: 'boom' }, { jobId: 'f1', attempts: 1 });
  await q.add('ok', { n: 2 }, { jobId: 'c2' });
  await q.add('bad', { fail: 'boom' }, { jobId: 'f2', deduplication: { id: 'df2', ...TTL } });
  await flow.add({
    name: 'parent', queueName: name, opts: { jobId: 'P' },
    children: [{ name: 'child', queueName: name, data: { n: 3 }, opts: { jobId: 'K1' } },
      { name: 'child', queueName: name, data: { fail: 'child boom' }, opts: { jobId: 'K2' } }],
  });
  await runJobs(connection, prefix, name, (c) => c.completed === 3 && c.failed === 3);
  return q;
}

// Runs a worker until `done(counts)` holds, one job at a time (so both twins see the same order),
// then closes it. The processor fails jobs whose data has `fail`, and logs a line per job.
// lib: the BullMQ module to run it with (default `bullmq`).
export async function runJobs(connection, prefix, name, done, { processor, lib = bullmq } = {}) {
  const { Queue, Worker } = lib;
  const queue = new Queue(name, { connection, prefix });
  const worker = new Worker(name, processor ?? (async (job) => {
    await job.log(`ran ${job.name}`);
    if (job.data.fail) throw new Error(job.data.fail);
    return { ok: job.data.n ?? 0 };
  }), { connection, prefix, concurrency: 1 });
  try {
    await waitFor(async () => done(await queue.getJobCounts()), { what: `${name} processed` });
  } finally {
    await worker.close();
    await queue.close();
  }
}

// `opsctl ARGS -o json --redis URL --prefix P` (+ --yes unless told otherwise). The run gets `json`
// when stdout is one JSON document (a refusal prints nothing there).
export function opsctlFor(redis, prefix) {
  return async (args, { yes = true, env, input } = {}) => {
    const argv = [...args, '-o', 'json', '--redis', redis.url, '--prefix', prefix, ...(yes ? ['--yes'] : [])];
    const r = await run(argv, { env, input });
    assertExited(argv, r);
    if (r.stdout.trim() !== '') {
      try {
        r.json = JSON.parse(r.stdout);
      } catch (e) {
        assert.fail(`stdout is not one JSON document (${e.message}): ${describeRun(argv, r)}`);
      }
    }
    return r;
  };
}

// The `event` names of a queue's events stream, in order.
export async function eventNames(client, prefix, name) {
  return (await client.xrange(`${prefix}:${name}:events`, '-', '+')).map(([, f]) => f[1]);
}

// The fields of the last event of a queue's stream, as an object.
export async function lastEvent(client, prefix, name) {
  const all = await client.xrange(`${prefix}:${name}:events`, '-', '+');
  const f = all.at(-1)[1];
  const o = {};
  for (let i = 0; i < f.length; i += 2) o[f[i]] = f[i + 1];
  return o;
}
