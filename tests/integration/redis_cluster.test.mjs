// Redis Cluster (three masters from `redis-cli --cluster create`): detected from any node's plain
// redis:// URL, queues found on every master, a 20k-job retry that lives through a slot migration
// (MOVED, ASK, TRYAGAIN) with every job in exactly one state, a prefix without a hash tag explained
// (exit 64), `cluster: true` against a plain Redis refused clearly, health on a node, and a killed
// node reported within --timeout.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { assertCode, HOST, run, runJson, tempDir, waitFor } from '../lib/harness.mjs';
import { useCluster, useRedis } from '../lib/servers.mjs';

const cluster = useCluster();
const plain = useRedis();

// n jobs of queue `name` under `prefix` (all its keys in one slot): `failed` of them failed.
async function seedQueue(prefix, name, { waiting = 0, failed = 0 } = {}) {
  const io = cluster.io;
  const now = Date.now();
  let p = io.pipeline();
  p.hset(`${prefix}:${name}:meta`, 'opts.maxLenEvents', '10000', 'version', 'bullmq:6.7.0');
  for (let i = 1; i <= waiting + failed; i++) {
    const isFailed = i > waiting;
    p.hset(`${prefix}:${name}:${i}`, 'name', 'email', 'data', '{}', 'opts', '{"attempts":1}', 'timestamp', String(now - 60000),
      ...(isFailed ? ['failedReason', 'boom', 'finishedOn', String(now - 100000 + i), 'attemptsMade', '1',
        'processedOn', String(now - 200000)] : []));
    if (isFailed) p.zadd(`${prefix}:${name}:failed`, String(now - 100000 + i), String(i));
    else p.lpush(`${prefix}:${name}:wait`, String(i));
    if (i % 2000 === 0) { await p.exec(); p = io.pipeline(); }
  }
  await p.exec();
}

const opsctl = (args, opts) => runJson([...args, '-o', 'json'], opts);

describe('a cluster found from one node', () => {
  test('queue list finds the queues of every master', async () => {
    // Hash-tagged queue names spread over the masters; at least two masters hold some.
    const names = Array.from({ length: 9 }, (_, i) => `{q${i}}`);
    const owners = new Set();
    for (const n of names) {
      await seedQueue('app', n, { waiting: 1 });
      owners.add(await cluster.slotOwner(await cluster.keySlot(`app:${n}:meta`)));
    }
    assert.ok(owners.size >= 2, `fixture: the queues sit on ${owners.size} master(s)`);
    const args = ['queue', 'list', ...cluster.args('app')];
    const r = await opsctl(args);
    assertCode(args, r, 0);
    assert.deepEqual(r.json.queues.map((q) => q.queue).sort(), [...names].sort());
    assert.ok(r.json.queues.every((q) => q.counts.waiting === 1), JSON.stringify(r.json.queues));
  });

  test('queue inspect on prefix {bull}, from a node that does not hold the queue', async () => {
    await seedQueue('{bull}', 'emails', { waiting: 3, failed: 2 });
    const owner = await cluster.slotOwner(await cluster.keySlot('{bull}:emails:meta'));
    const other = cluster.ports.find((p) => p !== owner);
    const args = ['queue', 'inspect', 'emails', '--redis', `redis://${HOST}:${other}`, '--prefix', '{bull}'];
    const r = await opsctl(args);
    assertCode(args, r, 0);
    assert.equal(r.json.counts.waiting, 3);
    assert.equal(r.json.counts.failed, 2);
  });

  test('health on a cluster node', async () => {
    const args = ['health', '--redis', cluster.urls[1]];
    const r = await opsctl(args);
    assertCode(args, r, 0);
    assert.equal(r.json.status, 'ok');
  });

  test('health on a cluster judges the cluster state and every master', async () => {
    const args = ['health', '--redis', cluster.urls[0], '-o', 'json'];
    const r = await runJson(args);
    assertCode(args, r, 0);
    const check = r.json.checks[0];
    assert.equal(check.status, 'ok');
    assert.match(check.message, /^cluster ok, 3 masters, redis \d+\.\d+\.\d+, \d+ clients$/);
    assert.equal(check.details.cluster_state, 'ok');
    assert.equal(check.details.cluster_slots_assigned, 16384);
    assert.deepEqual(check.details.masters.map((m) => m.node).sort(), cluster.ports.map((p) => `${HOST}:${p}`).sort());
    for (const m of check.details.masters) assert.equal(m.status, 'ok');
  });

  test('several hosts in the URL: the first reachable seed', async () => {
    const url = `redis://${HOST}:1,${HOST}:${cluster.ports[2]}`;
    const args = ['queue', 'inspect', 'emails', '--redis', url, '--prefix', '{bull}'];
    const r = await opsctl(args);
    assertCode(args, r, 0);
    assert.equal(r.json.counts.waiting, 3);
  });
});

describe('queue retry of 20k jobs through a slot migration', () => {
  test('MOVED/ASK/TRYAGAIN followed: exact count, every job in exactly one state', async () => {
    const N = 20000;
    await seedQueue('{big}', 'jobs', { failed: N });
    const slot = await cluster.keySlot('{big}:jobs:failed');
    const from = await cluster.slotOwner(slot);
    const to = cluster.ports.find((p) => p !== from);
    const args = ['queue', 'retry', 'jobs', '--yes', '--timeout', '60s', ...cluster.args('{big}'), '-o', 'json'];
    const running = run(args, { timeoutMs: 120000 });
    // The migration starts once the retry is under way.
    await waitFor(async () => (await cluster.io.zcard('{big}:jobs:failed')) < N, { timeoutMs: 30000, what: 'the retry to start' });
    const moved = await cluster.moveSlot(slot, to, { batch: 5000 });
    const r = await running;
    assertCode(args, r, 0);
    const j = JSON.parse(r.stdout);
    assert.ok(moved > 0);
    assert.equal(await cluster.slotOwner(slot), to, 'the slot moved');
    assert.equal(j.matched, N);
    assert.equal(j.changed, N);
    const wait = await cluster.io.lrange('{big}:jobs:wait', 0, -1);
    assert.equal(await cluster.io.zcard('{big}:jobs:failed'), 0);
    assert.equal(wait.length, N);
    assert.equal(new Set(wait).size, N, 'no job twice in wait');
  });
});

describe('what cannot work on a cluster', () => {
  test('a prefix without a hash tag: the explanation, exit 64', async () => {
    await cluster.io.hset('bull:plainq:meta', 'opts.maxLenEvents', '10000', 'version', 'bullmq:6.7.0');
    for (const verb of [['queue', 'inspect', 'plainq'], ['queue', 'retry', 'plainq', '--yes']]) {
      const args = [...verb, ...cluster.args('bull')];
      const r = await opsctl(args);
      assertCode(args, r, 64);
      assert.match(r.json.error.message, /keys of queue bull:plainq hash to different slots/);
      assert.match(r.json.error.message, /--prefix '\{bull\}' or a queue name in braces/);
      assert.equal(r.json.error.kind, 'usage');
    }
  });

  test('cluster: true (or several hosts) against a plain Redis: a clear error', async () => {
    const dir = tempDir('cluster-cfg');
    const cfg = path.join(dir, 'config.yaml');
    writeFileSync(cfg, `current-context: c\ncontexts:\n  - name: c\n    redis: ${plain.url}\n    cluster: true\n`);
    const args = ['queue', 'list', '--config', cfg];
    const r = await opsctl(args);
    assertCode(args, r, 78);
    assert.match(r.json.error.message, /not a Redis Cluster .*cluster: true/);
    const url = `redis://${HOST}:${plain.port},${HOST}:${plain.port}`;
    const r2 = await opsctl(['queue', 'list', '--redis', url]);
    assertCode(['queue', 'list', '--redis', url], r2, 78);
    assert.match(r2.json.error.message, /not a Redis Cluster .*several hosts/);
  });
});

describe('a node killed', () => {
  test('a clear error naming the node, within --timeout', async () => {
    const victim = cluster.ports[2];
    await cluster.kill(victim);
    const args = ['queue', 'list', '--timeout', '2s', ...cluster.args('app')];
    const r = await opsctl(args, { timeoutMs: 20000 });
    assertCode(args, r, 2);
    assert.match(r.json.error.message, new RegExp(`${victim}`));
    assert.match(r.json.error.message, /connection refused|cluster is down|timed out/);
    assert.ok(r.ms < 8000, `took ${r.ms} ms`);
  });

  test('health after a master is killed: critical, naming the node', async () => {
    const victim = cluster.ports[2];
    const args = ['health', '--timeout', '2s', '--redis', cluster.urls[0], '-o', 'json'];
    const r = await runJson(args, { timeoutMs: 20000 });
    assertCode(args, r, 2);
    assert.equal(r.json.checks[0].status, 'critical');
    assert.match(r.json.checks[0].message, new RegExp(`${HOST}:${victim}`));
  });
});
