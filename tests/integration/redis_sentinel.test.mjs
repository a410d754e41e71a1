// Redis behind Sentinel (redis+sentinel://h1,h2,h3/mymaster): a real master, replica and three
// sentinels. The master is found by asking the sentinels in turn and confirmed with ROLE; a dead
// or ignorant sentinel is skipped; a failover in the middle of a 10k-job retry either completes or
// stops clearly, every job in exactly one state, and a second run finishes the rest.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';

import { assertCode, HOST, OPSCTL_BIN, cleanEnv, refusedPort, Redis, run, runJson, silentServer, sleep } from '../lib/harness.mjs';
import { MASTER_NAME, startSentinels } from '../lib/redis-sentinel.mjs';

let sn;
before(async () => { sn = await startSentinels(); });
after(async () => { await sn?.stop(); });

const master = async () => {
  const port = await sn.masterPort();
  return { port, cli: (...a) => sn.cli(port, ...a) };
};

async function seedQueue(queue, { waiting = 0, failed = 0 } = {}) {
  const m = await master();
  const r = new Redis({ host: HOST, port: m.port, maxRetriesPerRequest: 1 });
  try {
    const now = Date.now();
    const p = r.pipeline();
    p.hset(`bull:${queue}:meta`, 'opts.maxLenEvents', '10000', 'version', 'bullmq:6.7.0');
    for (let i = 1; i <= waiting + failed; i++) {
      const isFailed = i > waiting;
      p.hset(`bull:${queue}:${i}`, 'name', 'email', 'data', '{}', 'opts', '{"attempts":1}', 'timestamp', String(now - 60000),
        ...(isFailed ? ['failedReason', 'boom', 'finishedOn', String(now - 1000), 'attemptsMade', '1', 'processedOn', String(now - 2000)] : []));
      if (isFailed) p.zadd(`bull:${queue}:failed`, String(now - 1000), String(i));
      else p.lpush(`bull:${queue}:wait`, String(i));
      if (i % 1000 === 0) { await p.exec(); }
    }
    await p.exec();
    await r.wait(1, 5000);  // the replica has it all before any failover
  } finally {
    r.disconnect();
  }
}

describe('finding the master', () => {
  before(async () => { await seedQueue('sq', { waiting: 3 }); });

  test('the sentinels name the master; the queue is read there', async () => {
    const args = ['queue', 'inspect', 'sq', '--redis', sn.url, '-o', 'json'];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.counts.waiting, 3);
  });

  test('a dead sentinel listed first is skipped', async () => {
    const url = sn.url.replace('redis+sentinel://', `redis+sentinel://${HOST}:${await refusedPort()},`);
    const args = ['queue', 'inspect', 'sq', '--redis', url, '-o', 'json'];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.counts.waiting, 3);
  });

  test('a silent sentinel listed first is skipped after --timeout; the next one names the master', async () => {
    const silent = await silentServer();
    try {
      const url = sn.url.replace('redis+sentinel://', `redis+sentinel://${HOST}:${silent.port},`);
      const args = ['queue', 'inspect', 'sq', '--redis', url, '--timeout', '1s', '-o', 'json'];
      const r = await runJson(args, { timeoutMs: 15000 });
      assertCode(args, r, 0);
      assert.equal(r.json.counts.waiting, 3);
      assert.ok(r.ms >= 900 && r.ms < 3000, `took ${Math.round(r.ms)} ms: the silent sentinel costs one --timeout`);
    } finally {
      await silent.close();
    }
  });

  test('a master name no sentinel knows: exit 2, each sentinel\'s answer named', async () => {
    const url = sn.url.replace(`/${MASTER_NAME}`, '/nosuch');
    const args = ['queue', 'inspect', 'sq', '--redis', url, '-o', 'json'];
    const r = await runJson(args);
    assertCode(args, r, 2);
    assert.equal(r.json.error.kind, 'unavailable');
    assert.match(r.json.error.message, /^redis master nosuch \(sentinels [^)]+\): no sentinel gave a usable master address: sentinel 127\.0\.0\.1:\d+ does not know a master named nosuch/);
    assert.equal(r.json.error.message.match(/does not know/g).length, 3);
  });

  test('no sentinel reachable: exit 2, connection_refused', async () => {
    const url = `redis+sentinel://${HOST}:${await refusedPort()},${HOST}:${await refusedPort()}/${MASTER_NAME}`;
    const args = ['health', '--redis', url, '-o', 'json', '--timeout', '2s'];
    const r = await runJson(args);
    assertCode(args, r, 2);
    assert.match(r.json.checks[0].message, /no sentinel gave a usable master address: redis 127\.0\.0\.1:\d+: connection refused/);
  });
});

describe('a failover during a 10k-job retry', () => {
  test('completes or stops clearly; every job in exactly one state; a second run finishes', { timeout: 120000 }, async (t) => {
    const N = 10000;
    await seedQueue('fq', { failed: N });
    const args = ['queue', 'retry', 'fq', '--redis', sn.url, '--yes', '-o', 'json', '--timeout', '8s'];
    const old = await master();
    const watch = new Redis({ host: HOST, port: old.port, maxRetriesPerRequest: 1 });
    const child = spawn(OPSCTL_BIN, args, { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const exited = new Promise((resolve) => child.on('close', resolve));
    // Freeze writes on the master as soon as the first batches landed, so the failover happens while
    // opsctl is between batches: its next call meets a demoted master or a killed connection.
    for (let i = 0; i < 2000 && Number(await watch.llen('bull:fq:wait')) === 0; i++) await sleep(1);
    const atPause = Number(await watch.llen('bull:fq:wait'));
    await watch.call('CLIENT', 'PAUSE', '4000', 'WRITE');
    const t0 = Date.now();
    watch.disconnect();
    await sn.failover();
    // The failover's last step, as the sentinels take it on their next INFO round (seconds later):
    // in one transaction the old master becomes a replica of the new one and its clients are killed.
    const demote = new Redis({ host: HOST, port: old.port, maxRetriesPerRequest: 1 });
    await demote.multi().call('REPLICAOF', HOST, String(await sn.masterPort())).call('CLIENT', 'KILL', 'TYPE', 'normal')
      .exec().catch(() => {});
    demote.disconnect();
    const tFail = Date.now() - t0;
    const code = await exited;
    t.diagnostic(`paused at ${atPause} moved; failover done after ${tFail} ms; exit after ${Date.now() - t0} ms`);
    assert.ok(code === 0 || code === 2, `exit ${code}: ${stderr}`);
    t.diagnostic(`first run: exit ${code}`);
    if (code === 2) {
      // Stopped: says how far it got and how to go on.
      assert.match(stderr, /interrupted after \d+ of \d+ failed jobs changed: redis master mymaster at 127\.0\.0\.1:\d+ \(sentinels [^)]+\): (connection closed by the server \(a failover\?|the master became a read-only replica \(a failover\)).*Run the same command again to continue/, stderr);
      assert.equal(JSON.parse(stdout).interrupted, true);
    }
    // On the new master: each job in exactly one of wait and failed, none lost, none twice.
    const m = await master();
    const wait = (await m.cli('LRANGE', 'bull:fq:wait', '0', '-1')).split('\n').filter(Boolean);
    const failed = (await m.cli('ZRANGE', 'bull:fq:failed', '0', '-1')).split('\n').filter(Boolean);
    assert.equal(new Set(wait).size, wait.length, 'a job twice in wait');
    assert.equal(wait.length + failed.length, N, `wait ${wait.length} + failed ${failed.length}`);
    assert.equal(new Set([...wait, ...failed]).size, N, 'a job in both');
    // The same command again, through the sentinels: the new master; the rest moves.
    const again = await run(args, { timeoutMs: 60000 });
    assertCode(args, again, 0);
    assert.equal(JSON.parse(again.stdout).changed, failed.length);
    assert.equal(Number(await m.cli('LLEN', 'bull:fq:wait')), N);
    assert.equal(Number(await m.cli('ZCARD', 'bull:fq:failed')), 0);
  });
});
