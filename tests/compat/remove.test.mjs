// job remove against BullMQ's Queue.remove(id, {removeChildren: true}): differential dumps for each
// state and for flows (last child releases its parent; a parent removed with its children), locked
// and Job Scheduler jobs refused per id, wake-up, consent, corrupted data, audit.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { FlowProducer, Queue, Worker } from 'bullmq';

import { dumpQueue } from '../lib/dump.mjs';
import { assertCode, run, sleep, startRedis, tempDir, waitFor } from '../lib/harness.mjs';
import { useRedis } from '../lib/servers.mjs';
import { assertTwins, eventNames, lastEvent, opsctlFor, runJobs } from './removal_helpers.mjs';

const redis = useRedis({ maxmemoryPolicy: 'noeviction', teardown: () => release() });
const connection = redis.connection;
const client = redis.io;
const closers = redis.closers;
let release;
const gate = new Promise((r) => { release = r; });

function track(x) {
  closers.push(x);
  return x;
}

// One job per state, with logs and dedup keys where BullMQ keeps them.
async function build(prefix, name) {
  const q = track(new Queue(name, { connection, prefix }));
  await q.add('ok', { n: 1 }, { jobId: 'c1', deduplication: { id: 'dc1', ttl: 600000 } });
  await q.add('bad', { fail: 'boom' }, { jobId: 'f1', attempts: 1 });
  await runJobs(connection, prefix, name, (c) => c.completed === 1 && c.failed === 1);
  await q.add('w', {}, { jobId: 'w1', deduplication: { id: 'dw1' } });
  await q.add('w', {}, { jobId: 'w2' });
  await q.add('p', {}, { jobId: 'p1', priority: 4 });
  await q.add('d', {}, { jobId: 'd1', delay: 3600_000 });
  return q;
}

// Both twins get Queue objects on every queue (a Queue writes meta.version, a FlowProducer does not).
async function flow(prefix, parentQueue, kidsQueue) {
  for (const name of new Set([parentQueue, kidsQueue])) await track(new Queue(name, { connection, prefix })).waitUntilReady();
  await track(new FlowProducer({ connection, prefix })).add({ name: 'parent', queueName: parentQueue, opts: { jobId: 'P' },
    children: [{ name: 'c', queueName: kidsQueue, opts: { jobId: 'K1' } }, { name: 'c', queueName: kidsQueue, opts: { jobId: 'K2' } }] });
}

describe('job remove vs Queue.remove: differential', () => {
  test('one job of each state: results per id, removed events with the state it was in', async () => {
    const P = 'rm1';
    await build(P, 'a');
    const b = await build(P, 'b');
    const ids = ['w1', 'd1', 'p1', 'c1', 'f1'];
    const r = await opsctlFor(redis, P)(['job', 'remove', 'a', ...ids]);
    assertCode(['job remove'], r, 0);
    for (const id of ids) assert.equal(await b.remove(id), 1);
    assert.deepEqual(r.json.results.map((x) => x.result), ['removed (was waiting)', 'removed (was delayed)',
      'removed (was prioritized)', 'removed (was completed)', 'removed (was failed)']);
    assert.equal(r.json.changed, 5);
    const d = await assertTwins(client, P, { q: 'a' }, { q: 'b' });
    assert.ok(!d.q['de:dc1'] && !d.q['c1:logs'] && !d.q['de:dw1'] && d.q.w2);
    assert.deepEqual(await lastEvent(client, P, 'a'), { event: 'removed', jobId: 'f1', prev: 'failed' });
    const again = await track(new Queue('a', { connection, prefix: P })).add('w', {}, { jobId: 'w1' });
    assert.equal(again.id, 'w1');
    assert.ok((await again.getState()) === 'waiting', 'the id is reusable');
  });

  test('the last child removed releases its parent: waiting prev waiting-children', async () => {
    const P = 'rm2';
    await flow(P, 'a', 'a');
    await flow(P, 'b', 'b');
    const ops = opsctlFor(redis, P);
    assertCode(['K1'], await ops(['job', 'remove', 'a', 'K1']), 0);
    assert.equal(await client.zscore(`${P}:a:waiting-children`, 'P') !== null, true, 'one child still pending');
    assertCode(['K2'], await ops(['job', 'remove', 'a', 'K2']), 0);
    const bq = track(new Queue('b', { connection, prefix: P }));
    await bq.remove('K1');
    await bq.remove('K2');
    const d = await assertTwins(client, P, { q: 'a' }, { q: 'b' });
    assert.deepEqual(d.q.wait.value, ['P']);
    const names = await eventNames(client, P, 'a');
    assert.deepEqual(names.slice(-3), ['removed', 'waiting', 'removed']);
    const events = await client.xrange(`${P}:a:events`, '-', '+');
    assert.deepEqual(events.at(-2)[1], ['event', 'waiting', 'jobId', 'P', 'prev', 'waiting-children']);
  });

  test('a parent removed with its children (in another queue), as Queue.remove does', async () => {
    const P = 'rm3';
    await flow(P, 'a', 'a-kids');
    await flow(P, 'b', 'b-kids');
    const r = await opsctlFor(redis, P)(['job', 'remove', 'a', 'P']);
    assertCode(['parent'], r, 0);
    assert.equal(await track(new Queue('b', { connection, prefix: P })).remove('P'), 1);
    // Children are visited in SMEMBERS order, which for a hashtable set depends on the member
    // strings, here "<prefix>:a-kids:K1" vs "<prefix>:b-kids:K1": the twins may emit the two
    // `removed` events of the children in either order. Everything else is compared as is.
    const mask = (dump) => {
      const events = dump.kids.events.value;
      const removed = events.filter((e) => e[1] === 'removed').map((e) => JSON.stringify(e)).sort();
      dump.kids.events.value = [...events.filter((e) => e[1] !== 'removed'), ...removed];
    };
    const d = await assertTwins(client, P, { q: 'a', kids: 'a-kids' }, { q: 'b', kids: 'b-kids' }, { mask });
    assert.ok(!d.kids.K1 && !d.kids.K2 && !d.q.P, 'children and parent gone');
    // BullMQ's own sequence, kept as is: the last child's removal releases the parent to wait just
    // before the parent itself is removed from there.
    assert.deepEqual(d.q.events.value.slice(-2), [['event', 'waiting', 'jobId', 'P', 'prev', 'waiting-children'],
      ['event', 'removed', 'jobId', 'P', 'prev', 'wait']]);
  });

  test('a locked job and a Job Scheduler\'s current job are refused, the rest removed, exit 2', async () => {
    const P = 'rm4';
    const setup = async (name) => {
      const q = await build(P, name);
      await q.upsertJobScheduler('sched', { pattern: '0 0 1 1 *' }, { name: 'tick' });
      await q.add('hold', {}, { jobId: 'h1', lifo: true });
      const w = track(new Worker(name, async () => { await gate; }, { connection, prefix: P, lockDuration: 60000 }));
      w.on('error', () => {});
      await waitFor(async () => (await q.getJobCounts('active')).active === 1, { what: 'h1 active' });
      await q.pause();
      return q;
    };
    await setup('a');
    const b = await setup('b');
    const [schedJob] = (await b.getDelayed()).filter((j) => j.id.startsWith('repeat:'));
    const r = await opsctlFor(redis, P)(['job', 'remove', 'a', 'h1', schedJob.id, 'w1', 'nope']);
    assertCode(['refusals'], r, 2);
    const byId = Object.fromEntries(r.json.results.map((x) => [x.id, x]));
    assert.equal(byId.h1.result, 'refused');
    assert.match(byId.h1.reason, /locked by a worker/);
    assert.equal(byId[schedJob.id].result, 'refused');
    assert.match(byId[schedJob.id].reason, /Job Scheduler 'sched'/);
    assert.equal(byId.w1.result, 'removed (was waiting)');
    assert.equal(byId.nope.result, 'not found');
    assert.equal(await b.remove('h1'), 0);
    await assert.rejects(b.remove(schedJob.id), /belongs to a job scheduler/);
    assert.equal(await b.remove('w1'), 1);
    const mask = (dump) => {
      const job = dump.q['repeat:sched:<time>'].value;
      job.delay = '<delay>';
      job.opts = job.opts.replace(/"delay":\d+/, '"delay":"<delay>"');
    };
    await assertTwins(client, P, { q: 'a' }, { q: 'b' }, { mask });
  });
});

describe('job remove: wake-up, consent, corrupted data, audit', () => {
  test('a blocked worker runs the released parent within 1 s', async () => {
    const P = 'rm5';
    await flow(P, 'parents', 'kids');
    let ranAt = 0;
    const w = track(new Worker('parents', async () => { ranAt = Date.now(); }, { connection, prefix: P, drainDelay: 30 }));
    await w.waitUntilReady();
    await sleep(300);
    const started = Date.now();
    assertCode(['remove'], await opsctlFor(redis, P)(['job', 'remove', 'kids', 'K1', 'K2']), 0);
    await waitFor(() => ranAt > 0, { timeoutMs: 5000, what: 'parent processed' });
    assert.ok(ranAt - started < 1000, `parent ran ${ranAt - started} ms after the removal`);
  });

  test('--dry-run, no --yes without a TTY, read_only context: nothing changes', async () => {
    const P = 'rm6';
    await build(P, 'a');
    const before = await dumpQueue(client, P, 'a');
    const ops = opsctlFor(redis, P);
    const dry = await ops(['job', 'remove', 'a', 'w1', 'c1', '--dry-run'], { yes: false });
    assertCode(['dry'], dry, 0);
    assert.equal(dry.json.matched, 2);
    assert.equal(dry.json.changed, 0);
    assert.deepEqual(dry.json.results.map((x) => x.result), ['would remove (was waiting)', 'would remove (was completed)']);
    assertCode(['no yes'], await ops(['job', 'remove', 'a', 'w1'], { yes: false }), 4);
    const cfg = path.join(tempDir('ro'), 'config.yaml');
    writeFileSync(cfg, `current-context: ro\ncontexts:\n  - name: ro\n    redis: ${redis.url}\n    read_only: true\n`);
    assertCode(['read_only'], await ops(['job', 'remove', 'a', 'w1', '--config', cfg]), 4);
    assert.deepEqual(await dumpQueue(client, P, 'a'), before);
  });

  test('an id without a hash and a wrong-type key are skipped and reported; the others removed', async () => {
    const P = 'rm7';
    await build(P, 'a');
    await client.rpush(`${P}:a:wait`, 'ghost');
    await client.set(`${P}:a:odd`, 'x');
    const r = await opsctlFor(redis, P)(['job', 'remove', 'a', 'ghost', 'odd', 'w2']);
    assertCode(['corrupted'], r, 2);
    assert.deepEqual(r.json.problems.map((p) => p.id), ['ghost', 'odd']);
    assert.deepEqual(r.json.results.map((x) => x.result), ['skipped', 'skipped', 'removed (was waiting)']);
    assert.equal(await client.get(`${P}:a:odd`), 'x');
    assert.deepEqual(await client.lrange(`${P}:a:wait`, 0, -1), ['w1', 'ghost']);
  });

  test('audit: one line, contract fields, no password', async () => {
    const secret = 's3cr3t-remove';
    const authed = await startRedis({ password: secret });
    try {
      await authed.cli('HSET', 'rm8:a:meta', 'opts.maxLenEvents', '10000', 'version', 'bullmq:6.7.0');
      await authed.cli('RPUSH', 'rm8:a:wait', '1');
      await authed.cli('HSET', 'rm8:a:1', 'name', 'x', 'timestamp', '1');
      const log = path.join(tempDir('audit'), 'audit.jsonl');
      const r = await run(['job', 'remove', 'a', '1', '--yes', '--prefix', 'rm8', '--audit-log', log, '-o', 'json',
        '--redis', `redis://:${secret}@127.0.0.1:${authed.port}`]);
      assertCode(['audited'], r, 0);
      const text = readFileSync(log, 'utf8');
      const rows = text.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(rows.length, 1);
      assert.equal(rows[0].action, 'job.remove');
      assert.equal(rows[0].changed, 1);
      for (const k of ['time', 'user', 'host', 'context', 'command_line', 'target', 'matched', 'dry_run', 'result']) {
        assert.ok(k in rows[0], `audit field ${k}`);
      }
      assert.ok(!text.includes(secret) && !r.stdout.includes(secret));
    } finally {
      await authed.stop();
    }
  });

  test('usage: a queue and at least one id', async () => {
    const r = await run(['job', 'remove', 'a', '--redis', redis.url, '--yes']);
    assertCode(['no id'], r, 64);
    assert.match(r.stderr, /ids/);
  });
});
