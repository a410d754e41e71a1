// queue clear --all against BullMQ's Queue.obliterate({force}): differential dumps, the refusal
// with active jobs (opsctl changes nothing, BullMQ leaves the queue paused), consent rules (typed
// queue name on a TTY, --yes AND --force without one), wake-up, corrupted data, audit.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import * as bullmq from 'bullmq';
import * as bullmq5 from 'bullmq5';

import { dumpQueue } from '../lib/dump.mjs';
import { OPSCTL_BIN, assertCode, run, sleep, startRedis, tempDir, waitFor } from '../lib/harness.mjs';
import { useRedis } from '../lib/servers.mjs';
import { assertTwins, dumpAs, opsctlFor, runJobs } from './removal_helpers.mjs';

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

// Every state: completed and failed (with logs), waiting, prioritized, delayed, dedup keys, a Job
// Scheduler, a flow whose parent waits for a child of another queue (left behind by obliterate),
// and, with `active`, one job held by a worker until the suite ends. lib: the BullMQ module building
// it (the `bullmq5` module for a BullMQ 5 queue).
async function build(prefix, name, { active = false, lib = bullmq } = {}) {
  const { FlowProducer, Queue, Worker } = lib;
  const q = track(new Queue(name, { connection, prefix }));
  await q.add('ok', { n: 1 }, { jobId: 'c1', deduplication: { id: 'dc1', ttl: 600000 } });
  await q.add('bad', { fail: 'boom' }, { jobId: 'f1', attempts: 1 });
  await runJobs(connection, prefix, name, (c) => c.completed === 1 && c.failed === 1, { lib });
  await q.add('w', {}, { jobId: 'w1', deduplication: { id: 'dw1' } });
  await q.add('p', {}, { jobId: 'p1', priority: 2 });
  await q.add('d', {}, { jobId: 'd1', delay: 3600_000 });
  await q.upsertJobScheduler('sched', { pattern: '0 0 1 1 *' }, { name: 'tick' });
  await track(new FlowProducer({ connection, prefix })).add({ name: 'parent', queueName: name, opts: { jobId: 'P' },
    children: [{ name: 'c', queueName: `${name}-kids`, opts: { jobId: 'K' } }] });
  if (active) {
    await q.add('hold', {}, { jobId: 'h1', lifo: true });
    const w = track(new Worker(name, async () => { await gate; }, { connection, prefix, lockDuration: 60000 }));
    w.on('error', () => {});  // its lock is gone once obliterated: finishing the job then fails
    await waitFor(async () => (await q.getJobCounts('active')).active === 1, { what: `${name}: one active job` });
    await q.pause();  // the worker takes nothing else; both twins get the same paused state and event
  }
  return q;
}

// The scheduler's delayed job stores next run - now: it depends on when each twin was built.
const mask = (dump) => {
  for (const role of Object.values(dump)) {
    const job = role['repeat:sched:<time>']?.value;
    if (!job) continue;
    job.delay = '<delay>';
    job.opts = job.opts.replace(/"delay":\d+/, '"delay":"<delay>"');
  }
};

const onTty = (argv, input) => run(['-qec', argv.map((a) => `'${a}'`).join(' '), '/dev/null'], { bin: 'script', input });

describe('queue clear --all vs Queue.obliterate', () => {
  test('--force: same keys left as obliterate({force: true}), active job and lock included', async () => {
    const P = 'ob1';
    await build(P, 'a', { active: true });
    const b = await build(P, 'b', { active: true });
    assert.ok(await client.exists(`${P}:a:h1:lock`), 'precondition: a locked active job');
    const r = await opsctlFor(redis, P)(['queue', 'clear', 'a', '--all', '--force']);
    assertCode(['--all --force'], r, 0);
    await b.obliterate({ force: true });
    const d = await assertTwins(client, P, { q: 'a', kids: 'a-kids' }, { q: 'b', kids: 'b-kids' }, { mask });
    assert.deepEqual(Object.keys(d.q).sort(), ['P', 'P:dependencies', 'waiting-children'],
      'only the flow parent waiting for another queue\'s child stays, as with BullMQ');
    assert.equal(r.json.changed, 7);
  });

  test('an empty queue: its keys go, like obliterate()', async () => {
    const P = 'ob2';
    const [a, b] = [track(new bullmq.Queue('a', { connection, prefix: P })), track(new bullmq.Queue('b', { connection, prefix: P }))];
    await a.waitUntilReady();
    await b.waitUntilReady();
    assert.ok(await client.exists(`${P}:a:meta`));
    assertCode(['empty'], await opsctlFor(redis, P)(['queue', 'clear', 'a', '--all', '--force']), 0);
    await b.obliterate();
    assert.deepEqual(await dumpAs(client, P, { a: 'q' }), {q: {}});
    assert.deepEqual(await dumpAs(client, P, { b: 'q' }), {q: {}});
  });

  test('active jobs without --force: opsctl refuses and changes nothing; obliterate() refuses after pausing', async () => {
    const P = 'ob3';
    const a = await build(P, 'a', { active: true });
    const b = await build(P, 'b', { active: true });
    await a.resume();
    await b.resume();
    const dumpA = async () => { const d = await dumpAs(client, P, { a: 'q', 'a-kids': 'kids' }); mask(d); return d; };
    const before = await dumpA();
    const r = await onTty([OPSCTL_BIN, 'queue', 'clear', 'a', '--all', '--redis', redis.url, '--prefix', P], 'a\n');
    assertCode(['tty, active, no --force'], r, 4);
    assert.match(r.stdout, /1 active job .*refusing to obliterate it, nothing changed.*--force/s);
    assert.doesNotMatch(r.stdout, /Type the queue name/, 'refused before asking');
    assert.deepEqual(await dumpA(), before);
    await assert.rejects(b.obliterate(), /Cannot obliterate queue with active jobs/);
    // The one inherent difference: BullMQ pauses before its script refuses.
    const expected = structuredClone(before);
    expected.q.meta.value = { ...expected.q.meta.value, paused: '1' };
    expected.q.events.value.push(['event', 'paused']);
    delete expected.q.marker;
    const got = await dumpAs(client, P, { b: 'q', 'b-kids': 'kids' });
    mask(got);
    assert.deepEqual(got, expected);
  });

  test('consent: a typed queue name on a TTY; without a TTY --yes AND --force', async () => {
    const P = 'ob4';
    await build(P, 'a');
    const before = await dumpQueue(client, P, 'a');
    const ops = opsctlFor(redis, P);
    const argv = ['queue', 'clear', 'a', '--all'];
    assertCode(['--yes only'], await ops(argv), 4);
    assertCode(['--force only'], await ops([...argv, '--force'], { yes: false }), 4);
    const wrong = await onTty([OPSCTL_BIN, ...argv, '--redis', redis.url, '--prefix', P], 'b\n');
    assertCode(['wrong name'], wrong, 4);
    assert.match(wrong.stdout, /Type the queue name \(a\) to confirm/);
    const dry = await ops([...argv, '--dry-run'], { yes: false });
    assertCode(['dry run'], dry, 0);
    assert.equal(dry.json.matched, 6);
    assert.equal(dry.json.changed, 0);
    const cfg = path.join(tempDir('ro'), 'config.yaml');
    writeFileSync(cfg, `current-context: ro\ncontexts:\n  - name: ro\n    redis: ${redis.url}\n    read_only: true\n`);
    assertCode(['read_only'], await ops([...argv, '--force', '--config', cfg]), 4);
    assert.deepEqual(await dumpQueue(client, P, 'a'), before);
    const typed = await onTty([OPSCTL_BIN, ...argv, '--redis', redis.url, '--prefix', P], 'a\n');
    assertCode(['typed name'], typed, 0);
    assert.deepEqual(Object.keys(await dumpQueue(client, P, 'a')).sort(), ['P', 'P:dependencies', 'waiting-children']);
  });
});

describe('queue clear --all on a BullMQ 5 queue vs its own Queue.obliterate', () => {
  test('paused the BullMQ 5 way (wait moved to the paused list) before its jobs go; the same keys left', async () => {
    const P = 'ob8';
    await build(P, 'a', { lib: bullmq5 });
    const b = await build(P, 'b', { lib: bullmq5 });
    assert.match(await client.hget(`${P}:a:meta`, 'version'), /^bullmq:5\./, 'fixture: a BullMQ 5 queue');
    // What happens to each twin's wait list, as keyspace notifications (generic commands).
    await client.config('SET', 'notify-keyspace-events', 'Kg');
    const sub = redis.client();
    const seen = { a: [], b: [] };
    sub.on('pmessage', (_p, channel, event) => seen[channel.endsWith(`${P}:a:wait`) ? 'a' : 'b'].push(event));
    await sub.psubscribe(`__keyspace@*__:${P}:[ab]:wait`);
    try {
      assertCode(['--all'], await opsctlFor(redis, P)(['queue', 'clear', 'a', '--all', '--force']), 0);
      await b.obliterate();
      await waitFor(() => seen.a.length > 0 && seen.b.length > 0, { what: 'notifications on both wait lists' });
      await sleep(100);
    } finally {
      await client.config('SET', 'notify-keyspace-events', '');
    }
    assert.deepEqual(seen.a, seen.b, 'BullMQ 5\'s pause renames wait to paused');
    assert.deepEqual(seen.a, ['rename_from']);
    const d = await assertTwins(client, P, { q: 'a', kids: 'a-kids' }, { q: 'b', kids: 'b-kids' }, { mask });
    assert.deepEqual(Object.keys(d.q).sort(), ['P', 'P:dependencies', 'waiting-children']);
  });
});

describe('queue clear --all: wake-up, corrupted data, audit', () => {
  test('a parent in another queue released by the obliterate runs within 1 s on a blocked worker', async () => {
    const P = 'ob5';
    await track(new bullmq.FlowProducer({ connection, prefix: P })).add({ name: 'parent', queueName: 'parents',
      opts: { jobId: 'PX' }, children: [{ name: 'c', queueName: 'kids', opts: { jobId: 'K' } }] });
    let ranAt = 0;
    const w = track(new bullmq.Worker('parents', async () => { ranAt = Date.now(); }, { connection, prefix: P, drainDelay: 30 }));
    await w.waitUntilReady();
    await sleep(300);
    const started = Date.now();
    assertCode(['--all'], await opsctlFor(redis, P)(['queue', 'clear', 'kids', '--all', '--force']), 0);
    await waitFor(() => ranAt > 0, { timeoutMs: 5000, what: 'parent processed' });
    assert.ok(ranAt - started < 1000, `parent ran ${ranAt - started} ms after the obliterate`);
  });

  test('a missing hash and a wrong-type key: reported, everything else removed, exit 2', async () => {
    const P = 'ob6';
    await build(P, 'a');
    await client.rpush(`${P}:a:wait`, 'ghost');
    await client.zadd(`${P}:a:completed`, 5, 'odd');
    await client.set(`${P}:a:odd`, 'not a hash');
    const r = await opsctlFor(redis, P)(['queue', 'clear', 'a', '--all', '--force']);
    assertCode(['corrupted'], r, 2);
    assert.deepEqual(r.json.problems.map((p) => p.id).sort(), ['ghost', 'odd']);
    assert.equal(r.json.changed, 6);
    assert.deepEqual(Object.keys(await dumpQueue(client, P, 'a')).sort(), ['P', 'P:dependencies', 'odd', 'waiting-children']);
  });

  test('audit: one line per run, contract fields, no password', async () => {
    const secret = 's3cr3t-obliterate';
    const authed = await startRedis({ password: secret });
    try {
      await authed.cli('HSET', 'ob7:a:meta', 'opts.maxLenEvents', '10000', 'version', 'bullmq:6.7.0');
      await authed.cli('RPUSH', 'ob7:a:wait', '1');
      await authed.cli('HSET', 'ob7:a:1', 'name', 'x', 'timestamp', '1');
      const log = path.join(tempDir('audit'), 'audit.jsonl');
      const r = await run(['queue', 'clear', 'a', '--all', '--force', '--yes', '--prefix', 'ob7', '--audit-log', log,
        '--redis', `redis://127.0.0.1:${authed.port}`], { env: { REDIS_PASSWORD: secret } });
      assertCode(['audited'], r, 0);
      const text = readFileSync(log, 'utf8');
      const rows = text.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(rows.length, 1);
      assert.equal(rows[0].action, 'queue.clear-all');
      assert.equal(rows[0].changed, 1);
      for (const k of ['time', 'user', 'host', 'context', 'command_line', 'target', 'matched', 'dry_run', 'result']) {
        assert.ok(k in rows[0], `audit field ${k}`);
      }
      assert.ok(!text.includes(secret));
      assert.equal(await authed.cli('EXISTS', 'ob7:a:meta'), '0');
    } finally {
      await authed.stop();
    }
  });
});
