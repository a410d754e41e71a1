// queue list discovers exactly the queues BullMQ made under a prefix, and nothing that only looks like one.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { FlowProducer, Queue, Worker } from 'bullmq';

import { assertCode, runJson, startRedis, waitFor } from '../lib/harness.mjs';

let redis;
let connection;
const queues = [];
const flows = [];
const workers = [];

// prefix -> the queue names that must be listed under it
const EXPECTED = {
  bull: ['alpha', 'beta', 'emptyq', 'zeta', '{cluster}', 'émails 📨'],
  'app:bull': ['delta', 'gamma'],
  '{bull}': ['eps'],
};

function open(name, prefix) {
  const q = new Queue(name, { connection, prefix });
  queues.push(q);
  return q;
}

before(async () => {
  redis = await startRedis({ maxmemoryPolicy: 'noeviction' });
  connection = { host: redis.host, port: redis.port };

  const alpha = open('alpha', 'bull');
  await alpha.add('a', { n: 1 });
  await alpha.add('dedup', { n: 2 }, { deduplication: { id: 'x:meta' } });  // key bull:alpha:de:x:meta
  const beta = open('beta', 'bull');
  await beta.upsertJobScheduler('x:y:z', { every: 3600_000 }, { name: 'tick', data: {} });
  await beta.add('b', {}, { delay: 3600_000 });
  await open('emptyq', 'bull').waitUntilReady();
  // a non-ASCII name: client names carry base64 of its UTF-8 bytes
  const mails = open('émails 📨', 'bull');
  await mails.add('m', {}, { delay: 3600_000 });
  workers.push(new Worker('émails 📨', async () => {}, { connection, prefix: 'bull', name: 'w2' }));
  await workers[0].waitUntilReady();
  await open('{cluster}', 'bull').add('c', {});
  const gone = open('gone', 'bull');
  await gone.add('g', {});
  await gone.obliterate({ force: true });
  // zeta is only ever written by a FlowProducer: its meta has no version
  const fp = new FlowProducer({ connection, prefix: 'bull' });
  flows.push(fp);
  await fp.add({ name: 'parent', queueName: 'zeta', children: [{ name: 'kid', queueName: 'zeta' }] });

  await open('gamma', 'app:bull').add('g', {});
  await open('delta', 'app:bull').add('d', {}, { priority: 3 });
  await open('eps', '{bull}').add('e', {});

  // look-alikes: an old repeat meta hash, a relay key, a plain hash named like a meta key
  await redis.cli('HSET', 'bull:beta:repeat:meta', 'every', '1000');
  await redis.cli('HSET', 'bull::relay:{ns}:meta', 'opts.maxLenEvents', '10000');
  await redis.cli('HSET', 'bull:alpha:de:y:meta', 'name', 'not a queue');
});

after(async () => {
  for (const w of workers) await w.close();
  for (const f of flows) await f.close();
  for (const q of queues) await q.close();
  await redis?.stop();
});

describe('queue list --prefix', () => {
  test('precondition: the look-alike keys exist', async () => {
    assert.equal(await redis.cli('TYPE', 'bull:alpha:de:x:meta'), 'string');
    assert.equal(await redis.cli('EXISTS', 'bull:gone:meta'), '0');
    assert.equal(await redis.cli('HEXISTS', 'bull:zeta:meta', 'version'), '0');
    assert.equal(await redis.cli('EXISTS', 'bull:zeta:meta'), '1');
  });

  for (const [prefix, names] of Object.entries(EXPECTED)) {
    test(`prefix ${prefix} lists exactly ${names.join(', ')}`, async () => {
      const args = ['queue', 'list', '-o', 'json', '--prefix', prefix, '--redis', redis.url];
      const r = await runJson(args);
      assertCode(args, r, 0);
      assert.equal(r.json.prefix, prefix);
      assert.deepEqual(r.json.queues.map((q) => q.queue).sort(), [...names].sort());
      for (const entry of r.json.queues) {
        const q = new Queue(entry.queue, { connection, prefix, skipMetasUpdate: true });
        try {
          assert.deepEqual(entry.counts, await q.getJobCounts(), `${prefix}:${entry.queue}`);
          assert.equal(entry.paused, await q.isPaused());
        } finally {
          await q.close();
        }
      }
    });
  }

  test('OPSCTL_PREFIX selects the prefix too', async () => {
    const args = ['queue', 'list', '-o', 'json', '--redis', redis.url];
    const r = await runJson(args, { env: { OPSCTL_PREFIX: '{bull}' } });
    assertCode(args, r, 0);
    assert.deepEqual(r.json.queues.map((q) => q.queue), ['eps']);
  });

  test('a prefix with no queues lists none', async () => {
    const args = ['queue', 'list', '-o', 'json', '--prefix', 'nothing', '--redis', redis.url];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.deepEqual(r.json.queues, []);
  });

  test('a queue named {cluster} can be inspected', async () => {
    const args = ['queue', 'inspect', '{cluster}', '-o', 'json', '--redis', redis.url];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.queue, '{cluster}');
    assert.equal(r.json.counts.waiting, 1);
  });

  test('a non-ASCII queue name: inspect finds it and its worker', async () => {
    const q = queues.find((x) => x.name === 'émails 📨');
    await waitFor(async () => (await q.getWorkers()).length > 0, { what: 'worker name' });
    const args = ['queue', 'inspect', 'émails 📨', '-o', 'json', '--redis', redis.url];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.queue, 'émails 📨');
    assert.equal(r.json.counts.delayed, 1);
    assert.equal(r.json.workers, (await q.getWorkers()).length);
    assert.deepEqual(r.json.worker_names, (await q.getWorkers()).map((w) => w.rawname));
  });

  test('the flow-only queue has no version but is BullMQ', async () => {
    const args = ['queue', 'inspect', 'zeta', '-o', 'json', '--redis', redis.url];
    const r = await runJson(args);
    assert.notEqual(r.code, 3, r.stderr);
    assert.equal(r.json.version, null);
    assert.equal(r.json.layout, 'bullmq');
    assert.equal(r.json.counts['waiting-children'], 1);
    assert.equal(r.json.counts.waiting, 1);
  });
});
