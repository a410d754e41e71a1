// Real BullMQ on a three-master Redis Cluster (ioredis Cluster connections): opsctl's queue retry,
// clear, pause/resume and promote on one queue, BullMQ's own API on a twin built the same way, the
// normalised dumps deep-equal; with prefix {bull} and with hash-tagged queue names.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { Queue } from 'bullmq';

import { assertCode, HOST, Redis, runJson } from '../lib/harness.mjs';
import { useCluster } from '../lib/servers.mjs';
import { buildQueue, twinDump } from './retry-fixture.mjs';

const cluster = useCluster();
const nodeClients = [];

// A plain client of the master holding queue's keys: SCAN there sees every key of the queue.
async function nodeOf(prefix, queue) {
  const port = await cluster.slotOwner(await cluster.keySlot(`${prefix}:${queue}:meta`));
  const c = new Redis({ host: HOST, port, maxRetriesPerRequest: 1 });
  nodeClients.push(c);
  return c;
}

// What buildQueue needs of a server, on the cluster.
const onCluster = () => ({ connection: cluster.io, cli: (cmd, ...a) => cluster.io.call(cmd, ...a) });

const JOBS = [
  { name: 'mail', data: { n: 1, fail: 'SMTP 421' }, opts: { attempts: 1 } },
  { name: 'mail', data: { n: 2 } },
  { name: 'sms', data: { n: 3, fail: 'gateway timeout' }, opts: { attempts: 1, priority: 5 } },
  { name: 'mail', data: { n: 4 } },
  { name: 'sms', data: { n: 5, fail: 'gateway timeout' }, opts: { attempts: 1 } },
];

async function twins(prefix, [na, nb]) {
  const opened = cluster.closers;
  const a = await buildQueue(onCluster(), prefix, na, JOBS, { opened });
  const b = await buildQueue(onCluster(), prefix, nb, JOBS, { opened });
  return [a, b];
}

async function assertSame(prefix, na, nb, message) {
  const [ca, cb] = [await nodeOf(prefix, na), await nodeOf(prefix, nb)];
  const [da, db] = [await twinDump(ca, prefix, na), await twinDump(cb, prefix, nb)];
  assert.ok(Object.keys(da).length > 0, `${message}: the dump of ${na} is empty`);
  assert.deepEqual(da, db, message);
}

const opsctl = async (prefix, ...args) => {
  const all = [...args, '--yes', '-o', 'json', ...cluster.args(prefix)];
  const r = await runJson(all);
  assertCode(all, r, 0);
  assert.deepEqual(r.json.problems ?? [], []);
  return r.json;
};

for (const [label, prefix, names] of [['prefix {bull}', '{bull}', ['twina', 'twinb']],
  ['hash-tagged queue names', 'bull', ['{twinc}', '{twind}']]]) {
  describe(`BullMQ on a cluster, ${label}`, () => {
    test('queue retry = Queue.retryJobs, queue clear = Queue.clean', async () => {
      const [na, nb] = names;
      const [, b] = await twins(prefix, names);
      await assertSame(prefix, na, nb, 'twins differ before (fixture)');
      const j = await opsctl(prefix, 'queue', 'retry', na);
      await b.retryJobs({ state: 'failed' });
      assert.equal(j.changed, 3);
      await assertSame(prefix, na, nb, 'after retry');
      const c = await opsctl(prefix, 'queue', 'clear', na, '--state', 'completed');
      await b.clean(0, 0, 'completed');
      assert.equal(c.changed, 2);
      await assertSame(prefix, na, nb, 'after clear');
    });

    test('pause/resume = Queue.pause/resume; promote = Queue.promoteJobs', async () => {
      const [na, nb] = names.map((n) => n.replace('twin', 'pz'));
      const qs = [];
      const T0 = Date.now();
      for (const n of [na, nb]) {
        const q = new Queue(n, { connection: cluster.io, prefix });
        cluster.closers.push(q);
        await q.waitUntilReady();
        await q.addBulk([1, 2].map((i) => ({ name: 'w', data: { i }, opts: { timestamp: T0 } })));
        await q.add('d', { n: 5 }, { delay: 3600_000, timestamp: T0, jobId: 'd1' });
        await q.add('d', { n: 6 }, { delay: 7200_000, timestamp: T0, jobId: 'd2' });
        qs.push(q);
      }
      const [a, b] = qs;
      await assertSame(prefix, na, nb, 'twins differ before (fixture)');
      await opsctl(prefix, 'queue', 'pause', na);
      await b.pause();
      assert.equal(await a.isPaused(), true);
      await assertSame(prefix, na, nb, 'after pause');
      await opsctl(prefix, 'queue', 'resume', na);
      await b.resume();
      assert.equal(await a.isPaused(), false);
      await assertSame(prefix, na, nb, 'after resume');
      const p = await opsctl(prefix, 'queue', 'promote', na);
      await b.promoteJobs();
      assert.equal(p.changed, 2);
      await assertSame(prefix, na, nb, 'after promote');
      for (const c of nodeClients.splice(0)) c.disconnect();
    });
  });
}
