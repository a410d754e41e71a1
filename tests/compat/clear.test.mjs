// queue clear --state against BullMQ's Queue.clean(grace, limit, state): twin queues built the
// same way, opsctl on one, BullMQ on the other, dumps compared (differential), plus the age filter,
// wake-up, dry run, refusals, corrupted data and the audit line.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { FlowProducer, Queue, Worker } from 'bullmq';

import { dumpQueue } from '../lib/dump.mjs';
import { assertCode, run, sleep, startRedis, tempDir, waitFor } from '../lib/harness.mjs';
import { useRedis } from '../lib/servers.mjs';
import { assertTwins, buildFinished, eventNames, lastEvent, opsctlFor, runJobs, TTL } from './removal_helpers.mjs';

const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const connection = redis.connection;
const client = redis.io;
const closers = redis.closers;

function queue(prefix, name) {
  const q = new Queue(name, { connection, prefix });
  closers.push(q);
  return q;
}

function flowProducer(prefix) {
  const f = new FlowProducer({ connection, prefix });
  closers.push(f);
  return f;
}

describe('queue clear vs Queue.clean: differential', () => {
  test('completed: same keys left as clean(0, 0, "completed")', async () => {
    const P = 'cl1';
    await buildFinished(redis, P, 'a');
    const b = await buildFinished(redis, P, 'b');
    const r = await opsctlFor(redis, P)(['queue', 'clear', 'a', '--state', 'completed']);
    assertCode(['queue clear'], r, 0);
    assert.deepEqual(await b.clean(0, 0, 'completed'), ['c1', 'c2', 'K1']);
    assert.equal(r.json.changed, 3);
    assert.deepEqual([...r.json.ids].sort(), ['K1', 'c1', 'c2']);
    const d = await assertTwins(client, P, { q: 'a' }, { q: 'b' });
    assert.ok(!d.q['c1:logs'] && !d.q['de:dc1'] && d.q['f1:logs'], 'logs and dedup of removed jobs only');
    assert.deepEqual((await eventNames(client, P, 'a')).filter((e) => e === 'cleaned'), ['cleaned']);
    assert.equal((await lastEvent(client, P, 'a')).count, '3');
  });

  test('failed: a same-queue flow parent left without pending children goes too', async () => {
    const P = 'cl2';
    await buildFinished(redis, P, 'a');
    const b = await buildFinished(redis, P, 'b');
    const r = await opsctlFor(redis, P)(['queue', 'clear', 'a', '--state', 'failed']);
    assertCode(['queue clear'], r, 0);
    await b.clean(0, 0, 'failed');
    const d = await assertTwins(client, P, { q: 'a' }, { q: 'b' });
    assert.ok(!d.q.P && !d.q['P:processed'] && !d.q['waiting-children'], 'parent P removed like BullMQ');
    assert.ok(!d.q['de:df2'], 'dedup key of f2 removed');
  });

  test('waiting: children, parents (same queue and another queue), dedup; others untouched', async () => {
    const P = 'cl3';
    const build = async (name) => {
      const q = queue(P, name);
      await q.add('w', { n: 1 }, { jobId: 'w1', deduplication: { id: 'dw1' } });
      await q.add('w', { n: 2 }, { jobId: 'w2' });
      await q.add('p', {}, { jobId: 'pr', priority: 3 });
      await q.add('d', {}, { jobId: 'dl', delay: 3600_000 });
      const flow = flowProducer(P);
      await flow.add({ name: 'parent', queueName: name, opts: { jobId: 'P1' },
        children: [{ name: 'c', queueName: name, opts: { jobId: 'K1' } }, { name: 'c', queueName: name, opts: { jobId: 'K2' } }] });
      await flow.add({ name: 'parent', queueName: `${name}-p`, opts: { jobId: 'PX' },
        children: [{ name: 'c', queueName: name, opts: { jobId: 'KX' } }] });
      return q;
    };
    await build('a');
    const b = await build('b');
    const r = await opsctlFor(redis, P)(['queue', 'clear', 'a', '--state', 'waiting']);
    assertCode(['queue clear'], r, 0);
    assert.equal(r.json.changed, 5);
    assert.equal((await b.clean(0, 0, 'waiting')).length, 5);
    const d = await assertTwins(client, P, { q: 'a', p: 'a-p' }, { q: 'b', p: 'b-p' });
    assert.deepEqual(d.p.wait.value, ['PX'], 'the other queue\'s parent moved to its wait list');
    assert.deepEqual(d.q.prioritized.value.map(([id]) => id), ['pr']);
    assert.ok(d.q.dl && !d.q.P1 && !d.q['de:dw1']);
  });

  test('delayed and prioritized, and --limit like clean(0, N, state)', async () => {
    const P = 'cl4';
    const build = async (name) => {
      const q = queue(P, name);
      for (let i = 1; i <= 4; i++) await q.add('d', { i }, { jobId: `d${i}`, delay: 3600_000 + i });
      for (let i = 1; i <= 3; i++) await q.add('p', { i }, { jobId: `p${i}`, priority: 10 - i });
      await q.upsertJobScheduler('sched', { pattern: '0 0 1 1 *' }, { name: 'tick' });
      return q;
    };
    await build('a');
    const b = await build('b');
    const ops = opsctlFor(redis, P);
    assertCode(['delayed'], await ops(['queue', 'clear', 'a', '--state', 'delayed']), 0);
    assertCode(['prioritized'], await ops(['queue', 'clear', 'a', '--state', 'prioritized', '--limit', '2']), 0);
    await b.clean(0, 0, 'delayed');
    await b.clean(0, 2, 'prioritized');
    // The scheduler's job stores its delay (next run - now): it depends on when each twin was built.
    const mask = (dump) => {
      const job = dump.q['repeat:sched:<time>'].value;
      job.delay = '<delay>';
      job.opts = job.opts.replace(/"delay":\d+/, '"delay":"<delay>"');
    };
    const d = await assertTwins(client, P, { q: 'a' }, { q: 'b' }, { mask });
    const delayed = d.q.delayed.value.map(([id]) => id);
    assert.equal(delayed.length, 1, 'only the Job Scheduler\'s current job stays');
    assert.equal(delayed[0], 'repeat:sched:<time>');
    assert.equal(d.q.prioritized.value.length, 1);
  });

  test('active: only jobs without a lock, like clean(0, 0, "active")', async () => {
    const P = 'cl11';
    const build = async (name) => {
      const q = queue(P, name);
      await q.add('hold', {}, { jobId: 'h1' });
      const w = new Worker(name, () => new Promise(() => {}), { connection, prefix: P, lockDuration: 60000 });
      w.on('error', () => {});
      await waitFor(async () => (await q.getJobCounts('active')).active === 1, { what: 'h1 active' });
      await q.pause();
      await w.close(true);  // force: the processor never ends; its lock stays until it expires
      // A stalled job: in active, its worker gone with its lock (what opsctl job unstick targets).
      await q.add('stalled', {}, { jobId: 's1' });
      await client.lrem(`${P}:${name}:wait`, 1, 's1');
      await client.lpush(`${P}:${name}:active`, 's1');
      return q;
    };
    await build('a');
    const b = await build('b');
    assert.ok(await client.exists(`${P}:a:h1:lock`), 'precondition: h1 is locked');
    const r = await opsctlFor(redis, P)(['queue', 'clear', 'a', '--state', 'active']);
    assertCode(['active'], r, 0);
    assert.deepEqual(r.json.ids, ['s1']);
    assert.deepEqual(await b.clean(0, 0, 'active'), ['s1']);
    const d = await assertTwins(client, P, { q: 'a' }, { q: 'b' });
    assert.deepEqual(d.q.active.value, ['h1']);
  });

  test('clean by age: A, 1.5 s, B; --older-than 1s removes A and its logs only, dedup id reusable', async () => {
    const P = 'cl5';
    const [a, b] = [queue(P, 'a'), queue(P, 'b')];
    for (const q of [a, b]) await q.add('A', { n: 1 }, { jobId: 'A', deduplication: { id: 'dA', ...TTL } });
    for (const n of ['a', 'b']) await runJobs(connection, P, n, (c) => c.completed === 1);
    await sleep(1500);
    for (const q of [a, b]) await q.add('B', { n: 2 }, { jobId: 'B', deduplication: { id: 'dB', ...TTL } });
    for (const n of ['a', 'b']) await runJobs(connection, P, n, (c) => c.completed === 2);
    const r = await opsctlFor(redis, P)(['queue', 'clear', 'a', '--state', 'completed', '--older-than', '1s']);
    assertCode(['queue clear'], r, 0);
    assert.deepEqual(r.json.ids, ['A']);
    assert.deepEqual(await b.clean(1000, 0, 'completed'), ['A']);
    const d = await assertTwins(client, P, { q: 'a' }, { q: 'b' });
    assert.ok(!d.q.A && !d.q['A:logs'] && d.q.B && d.q['B:logs'] && !d.q['de:dA'] && d.q['de:dB']);
    assert.deepEqual((await eventNames(client, P, 'a')).filter((e) => e === 'cleaned'), ['cleaned']);
    const again = await a.add('A2', {}, { deduplication: { id: 'dA' } });
    assert.notEqual(again.id, 'A');
    assert.ok(await a.getJob(again.id), 'a new job was created for dedup id dA');
  });
});

describe('queue clear: wake-up, consent, corrupted data, audit', () => {
  test('a blocked worker runs a parent released by the clear within 1 s', async () => {
    const P = 'cl6';
    queue(P, 'kids');
    await flowProducer(P).add({ name: 'parent', queueName: 'parents', opts: { jobId: 'PX' },
      children: [{ name: 'c', queueName: 'kids', opts: { jobId: 'K' } }] });
    let ranAt = 0;
    const worker = new Worker('parents', async () => { ranAt = Date.now(); }, { connection, prefix: P, drainDelay: 30 });
    closers.push(worker);
    await worker.waitUntilReady();
    await sleep(300);  // the worker is now blocked on the marker
    const started = Date.now();
    assertCode(['queue clear'], await opsctlFor(redis, P)(['queue', 'clear', 'kids', '--state', 'waiting']), 0);
    await waitFor(() => ranAt > 0, { timeoutMs: 5000, what: 'parent processed' });
    assert.ok(ranAt - started < 1000, `parent ran ${ranAt - started} ms after the clear`);
  });

  test('--dry-run, no --yes without a TTY, read_only context: nothing changes', async () => {
    const P = 'cl7';
    await buildFinished(redis, P, 'a');
    const before = await dumpQueue(client, P, 'a');
    const ops = opsctlFor(redis, P);
    const dry = await ops(['queue', 'clear', 'a', '--state', 'completed', '--dry-run'], { yes: false });
    assertCode(['dry run'], dry, 0);
    assert.equal(dry.json.dry_run, true);
    assert.equal(dry.json.matched, 3);
    assert.equal(dry.json.changed, 0);
    const noYes = await ops(['queue', 'clear', 'a', '--state', 'completed'], { yes: false });
    assertCode(['no --yes'], noYes, 4);
    const cfg = path.join(tempDir('ro'), 'config.yaml');
    writeFileSync(cfg, `current-context: ro\ncontexts:\n  - name: ro\n    redis: ${redis.url}\n    read_only: true\n`);
    const ro = await ops(['queue', 'clear', 'a', '--state', 'completed', '--config', cfg]);
    assertCode(['read_only'], ro, 4);
    assert.deepEqual(await dumpQueue(client, P, 'a'), before);
  });

  test('a missing hash and a wrong-type key are reported, the other jobs removed, exit 2', async () => {
    const P = 'cl8';
    await buildFinished(redis, P, 'a');
    await client.zadd(`${P}:a:completed`, 1, 'ghost', 2, 'odd');
    await client.set(`${P}:a:odd`, 'not a hash');
    const r = await opsctlFor(redis, P)(['queue', 'clear', 'a', '--state', 'completed']);
    assertCode(['corrupted'], r, 2);
    assert.equal(r.json.changed, 3);
    assert.deepEqual(r.json.problems.map((p) => p.id).sort(), ['ghost', 'odd']);
    assert.deepEqual((await client.zrange(`${P}:a:completed`, 0, -1)).sort(), ['ghost', 'odd']);
    assert.equal(await client.get(`${P}:a:odd`), 'not a hash');
    const dry = await opsctlFor(redis, P)(['queue', 'clear', 'a', '--state', 'completed', '--dry-run']);
    assert.equal(dry.json.problems.length, 2, 'a dry run reports them too');
  });

  test('audit: one JSON line with the contract fields and no password', async () => {
    const secret = 's3cr3t-clear';
    const authed = await startRedis({ password: secret });
    try {
      const P = 'cl9';
      await authed.cli('ZADD', `${P}:a:completed`, '1', '1');
      await authed.cli('HSET', `${P}:a:1`, 'name', 'x', 'timestamp', '1', 'finishedOn', '1');
      await authed.cli('HSET', `${P}:a:meta`, 'opts.maxLenEvents', '10000', 'version', 'bullmq:6.7.0');
      const log = path.join(tempDir('audit'), 'audit.jsonl');
      const r = await opsctlFor({ url: `redis://:${secret}@127.0.0.1:${authed.port}` }, P)(
        ['queue', 'clear', 'a', '--state', 'completed', '--audit-log', log]);
      assertCode(['audited'], r, 0);
      const text = readFileSync(log, 'utf8');
      const rows = text.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(rows.length, 1);
      for (const k of ['time', 'user', 'host', 'context', 'command_line', 'target', 'action', 'matched', 'changed', 'dry_run', 'result']) {
        assert.ok(k in rows[0], `audit field ${k}`);
      }
      assert.equal(rows[0].action, 'queue.clear');
      assert.equal(rows[0].changed, 1);
      assert.ok(!text.includes(secret), 'password in the audit log');
    } finally {
      await authed.stop();
    }
  });

  test('usage: --state or --all is required, unknown states get a suggestion', async () => {
    const ops = (args) => run([...args, '--redis', redis.url, '--prefix', 'cl10', '--yes']);
    assertCode(['no state'], await ops(['queue', 'clear', 'a']), 64);
    const typo = await ops(['queue', 'clear', 'a', '--state', 'complted']);
    assertCode(['typo'], typo, 64);
    assert.match(typo.stderr, /did you mean 'completed'/);
    assertCode(['all+state'], await ops(['queue', 'clear', 'a', '--all', '--state', 'failed']), 64);
    assertCode(['force alone'], await ops(['queue', 'clear', 'a', '--state', 'failed', '--force']), 64);
  });
});
