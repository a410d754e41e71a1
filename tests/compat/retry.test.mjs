// queue retry against BullMQ's own Queue.retryJobs / Job.retry on twin queues (differential dumps),
// filters, paused queues (BullMQ 6 and a BullMQ 5 legacy paused list), the safety protocol (dry run,
// no --yes, read_only), corrupted jobs, and the audit line.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { Job } from 'bullmq';
import * as bullmq5 from 'bullmq5';

import { dumpQueue } from '../lib/dump.mjs';
import { assertCode, run, runJson, startRedis, tempDir } from '../lib/harness.mjs';
import { useRedis } from '../lib/servers.mjs';
import { assertTwins, buildQueue, MIXED, seedFailed } from './retry-fixture.mjs';

const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const io = redis.io;  // ioredis client for dumps and direct checks
const queues = redis.closers;

const opsctl = (prefix, ...args) => runJson([...args, '-o', 'json', '--redis', redis.url, '--prefix', prefix]);

// Plain jobs only (no priority, no lifo): for them Job.retry and retryJobs do the same thing.
const PLAIN = [
  { name: 'mail', data: { n: 1, fail: 'SMTP 421 too many connections' }, opts: { attempts: 1 } },
  { name: 'sms', data: { n: 2, fail: 'gateway timeout' }, opts: { attempts: 1 } },
  { name: 'mail', data: { n: 3, fail: 'SMTP 550 rejected' }, opts: { attempts: 2 } },
  { name: 'mail', data: { n: 4 } },
  { name: 'sms', data: { n: 5, fail: 'gateway timeout' }, opts: { attempts: 1 } },
  { name: 'mail', data: { n: 6, fail: 'SMTP 421 too many connections' }, opts: { attempts: 1 } },
];

async function twins(prefix, jobs, opts) {
  const a = await buildQueue(redis, prefix, 'twina', jobs, { ...opts, opened: queues });
  const b = await buildQueue(redis, prefix, 'twinb', jobs, { ...opts, opened: queues });
  await assertTwins(io, prefix, 'twina', 'twinb', 'twins differ before the retry (fixture)');
  return [a, b];
}

// Job.retry on each id, in the order retryJobs would take them (oldest finishedOn first).
async function retryEach(queue, ids, state = 'failed', opts = {}) {
  for (const id of ids) await (await Job.fromId(queue, id)).retry(state, opts);
}

async function yes(prefix, ...args) {
  const r = await opsctl(prefix, ...args, '--yes');
  assertCode(args, r, 0);
  assert.equal(r.json.dry_run, false);
  assert.deepEqual(r.json.problems, []);
  return r.json;
}

describe('queue retry vs Queue.retryJobs (differential)', () => {
  test('failed, then completed: zero differences, flows included', async () => {
    const P = 'dq';
    const [, b] = await twins(P, MIXED, { flow: true });
    const failed = await b.getJobCountByTypes('failed');
    const completed = await b.getJobCountByTypes('completed');
    assert.ok(failed >= 5 && completed >= 3, `fixture: ${failed} failed, ${completed} completed`);

    const j = await yes(P, 'queue', 'retry', 'twina');
    await b.retryJobs({ state: 'failed' });
    assert.equal(j.action, 'queue.retry');
    assert.equal(j.matched, failed);
    assert.equal(j.changed, failed);
    assert.match(j.target, new RegExp(`127\\.0\\.0\\.1:${redis.port} ${P}:twina$`));
    await assertTwins(io, P, 'twina', 'twinb', 'after retry of failed');
    // Facts the dump comparison rests on, checked once on opsctl's side.
    const events = await io.xrange(`${P}:twina:events`, '-', '+');
    assert.equal(events.length, failed);
    assert.ok(events.every(([, f]) => f[1] === 'waiting' && f[5] === 'failed'), JSON.stringify(events));
    assert.deepEqual(await io.zrange(`${P}:twina:marker`, 0, -1, 'WITHSCORES'), ['0', '0']);
    const child = await io.hgetall(`${P}:twina:flow-bad`);
    assert.equal(child.failedReason, undefined);
    assert.ok(await io.sismember(`${P}:twina:flow-parent:dependencies`, `${P}:twina:flow-bad`));

    const c = await yes(P, 'queue', 'retry', 'twina', '--state', 'completed');
    await b.retryJobs({ state: 'completed' });
    assert.equal(c.changed, completed);
    await assertTwins(io, P, 'twina', 'twinb', 'after retry of completed');
    assert.equal(await io.hexists(`${P}:twina:2`, 'returnvalue'), 0);
  });

  test('a paused BullMQ 6 queue: jobs to wait, no marker, still paused', async () => {
    const P = 'pq';
    const [a, b] = await twins(P, MIXED);
    await a.pause();
    await b.pause();
    await yes(P, 'queue', 'retry', 'twina');
    await b.retryJobs({ state: 'failed' });
    await assertTwins(io, P, 'twina', 'twinb', 'paused queue');
    assert.equal(await io.exists(`${P}:twina:marker`), 0);
    assert.equal(await a.isPaused(), true);
    assert.ok((await io.llen(`${P}:twina:wait`)) >= 5);
  });

  test('--reset-attempts equals Job.retry with both reset flags', async () => {
    const P = 'rq';
    const [, b] = await twins(P, PLAIN);
    const ids = await io.zrange(`${P}:twinb:failed`, 0, -1);
    await yes(P, 'queue', 'retry', 'twina', '--reset-attempts');
    await retryEach(b, ids, 'failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    await assertTwins(io, P, 'twina', 'twinb', '--reset-attempts');
    assert.equal(await io.hexists(`${P}:twina:${ids[0]}`, 'atm'), 0);
    assert.equal(await io.hexists(`${P}:twina:${ids[0]}`, 'ats'), 0);
  });
});

describe('queue retry on a BullMQ 5 queue vs its own Queue.retryJobs (differential)', () => {
  test('failed, then completed: zero differences; a retried flow child stays out of its parent\'s dependencies', async () => {
    const P = 'd5';
    const [, b] = await twins(P, MIXED, { flow: true, lib: bullmq5 });
    assert.match(await io.hget(`${P}:twina:meta`, 'version'), /^bullmq:5\./, 'fixture: a BullMQ 5 queue');
    const failed = await b.getJobCountByTypes('failed');
    const j = await yes(P, 'queue', 'retry', 'twina');
    await b.retryJobs({ state: 'failed' });
    assert.equal(j.changed, failed);
    await assertTwins(io, P, 'twina', 'twinb', 'BullMQ 5: after retry of failed');
    await yes(P, 'queue', 'retry', 'twina', '--state', 'completed');
    await b.retryJobs({ state: 'completed' });
    await assertTwins(io, P, 'twina', 'twinb', 'BullMQ 5: after retry of completed');
    // BullMQ 5's retryJobs leaves the parent's record of its completed child alone (BullMQ 6 moves
    // the child back into :dependencies).
    assert.equal(await io.hexists(`${P}:twina:flow-parent:processed`, `${P}:twina:flow-ok`), 1);
    assert.equal(await io.sismember(`${P}:twina:flow-parent:dependencies`, `${P}:twina:flow-ok`), 0);
  });
});

describe('queue retry filters (differential against Job.retry of the expected ids)', () => {
  test('--name, then --reason with --limit', async () => {
    const P = 'fq';
    const [, b] = await twins(P, PLAIN);
    const failedIds = await io.zrange(`${P}:twinb:failed`, 0, -1);
    const jobs = await Promise.all(failedIds.map((id) => Job.fromId(b, id)));
    const mail = jobs.filter((j) => j.name === 'mail').map((j) => j.id);
    assert.ok(mail.length >= 2 && mail.length < failedIds.length, 'fixture has mail and other jobs');

    const j = await yes(P, 'queue', 'retry', 'twina', '--name', 'mail');
    assert.equal(j.changed, mail.length);
    await retryEach(b, mail);
    await assertTwins(io, P, 'twina', 'twinb', '--name mail');

    const gateway = jobs.filter((x) => /gate.*out$/.test(x.failedReason)).map((x) => x.id);
    assert.ok(gateway.length >= 2, 'fixture has two gateway failures');
    const k = await yes(P, 'queue', 'retry', 'twina', '--reason', 'gate.*out$', '--limit', '1');
    assert.equal(k.matched, 1);
    assert.deepEqual(k.ids, [gateway[0]], 'the oldest match');
    await retryEach(b, [gateway[0]]);
    await assertTwins(io, P, 'twina', 'twinb', '--reason --limit 1');
  });

  test('--older-than compares finishedOn (the failed score) with now - DUR', async () => {
    const P = 'oq';
    const [, b] = await twins(P, PLAIN);
    const ids = await io.zrange(`${P}:twinb:failed`, 0, -1);
    const old = ids.slice(0, 2);  // finished two hours ago on both twins
    const twoHoursAgo = Date.now() - 2 * 3600_000;
    for (const q of ['twina', 'twinb']) {
      for (const [i, id] of old.entries()) {
        await io.zadd(`${P}:${q}:failed`, twoHoursAgo + i, id);
        await io.hset(`${P}:${q}:${id}`, 'finishedOn', twoHoursAgo + i);
      }
    }
    const none = await yes(P, 'queue', 'retry', 'twina', '--older-than', '3h');
    assert.equal(none.matched, 0);
    const j = await yes(P, 'queue', 'retry', 'twina', '--older-than', '1h');
    assert.deepEqual(j.ids, old);
    await retryEach(b, old);
    await assertTwins(io, P, 'twina', 'twinb', '--older-than 1h');
  });

  test('usage errors: bad --state, bad --reason, bad --older-than, --limit 0', async () => {
    for (const bad of [['--state', 'active'], ['--reason', '('], ['--older-than', '5 parsecs'], ['--limit', '0']]) {
      const args = ['queue', 'retry', 'whatever', ...bad, '--yes', '--redis', redis.url];
      const r = await run(args);
      assertCode(args, r, 64);
    }
  });
});

describe('legacy paused list', () => {
  async function legacyQueue(P, version) {
    await seedFailed(redis, P, 'q', 3);
    await io.hset(`${P}:q:meta`, 'version', version, 'paused', '1');
    await io.del(`${P}:q:marker`);  // pausing drops it; addBulk had set it
    await io.rpush(`${P}:q:paused`, 'old-1');
  }

  test('a paused BullMQ 5 queue: retried jobs join the paused list, wait and marker untouched', async () => {
    const P = 'v5';
    await legacyQueue(P, 'bullmq:5.81.3');
    const ids = await io.zrange(`${P}:q:failed`, 0, -1);
    await yes(P, 'queue', 'retry', 'q');
    assert.deepEqual(await io.lrange(`${P}:q:paused`, 0, -1), [...ids].reverse().concat('old-1'));
    assert.equal(await io.exists(`${P}:q:wait`), 0);
    assert.equal(await io.exists(`${P}:q:marker`), 0);
  });

  test('a paused BullMQ 6 queue that still has a paused list: retried jobs go to wait', async () => {
    const P = 'v6';
    await legacyQueue(P, 'bullmq:6.7.0');
    const ids = await io.zrange(`${P}:q:failed`, 0, -1);
    await yes(P, 'queue', 'retry', 'q');
    assert.deepEqual(await io.lrange(`${P}:q:wait`, 0, -1), [...ids].reverse());
    assert.deepEqual(await io.lrange(`${P}:q:paused`, 0, -1), ['old-1']);
    assert.equal(await io.exists(`${P}:q:marker`), 0);
  });
});

describe('safety protocol', () => {
  const P = 'sq';
  let before;
  test('setup', async () => {
    await seedFailed(redis, P, 'q', 30);
    before = await dumpQueue(io, P, 'q');
  });

  test('--dry-run reports the matches and changes nothing', async () => {
    const r = await opsctl(P, 'queue', 'retry', 'q', '--dry-run');
    assertCode(['queue', 'retry', '--dry-run'], r, 0);
    assert.equal(r.json.dry_run, true);
    assert.equal(r.json.matched, 30);
    assert.equal(r.json.changed, 0);
    assert.equal(r.json.ids.length, 20);
    const named = await opsctl(P, 'queue', 'retry', 'q', '--dry-run', '--name', 'job', '--limit', '7');
    assert.equal(named.json.matched, 7);
    assert.deepEqual(await dumpQueue(io, P, 'q'), before);
  });

  test('without --yes and without a TTY: exit 4, nothing changed', async () => {
    const args = ['queue', 'retry', 'q', '--redis', redis.url, '--prefix', P];
    const r = await run(args);
    assertCode(args, r, 4);
    assert.match(r.stderr, /--yes/);
    assert.deepEqual(await dumpQueue(io, P, 'q'), before);
  });

  test('a read_only context: exit 4, nothing changed', async () => {
    const dir = tempDir('ro');
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, ['current-context: ro', 'contexts:', '  - name: ro', `    redis: ${redis.url}`,
      `    prefix: ${P}`, '    read_only: true', ''].join('\n'));
    const args = ['queue', 'retry', 'q', '--yes', '--config', config];
    const r = await run(args);
    assertCode(args, r, 4);
    assert.match(r.stderr, /read_only/);
    assert.deepEqual(await dumpQueue(io, P, 'q'), before);
  });

  test('a Bull 3/4 queue is refused, untouched (exit 3)', async () => {
    await io.set(`${P}:old:id`, '2');
    await io.rpush(`${P}:old:wait`, '2');
    await io.zadd(`${P}:old:priority`, 0, '2');
    await io.zadd(`${P}:old:failed`, Date.now() - 1000, '1');
    await io.hset(`${P}:old:1`, 'name', 'x', 'data', '{}', 'failedReason', 'boom', 'attemptsMade', '1');
    const args = ['queue', 'retry', 'old', '--yes', '--redis', redis.url, '--prefix', P];
    const r = await run(args);
    assertCode(args, r, 3);
    assert.match(r.stderr, /Bull \(v3\/v4\) queue/);
    assert.equal(await io.zcard(`${P}:old:failed`), 1);
  });

  test('an unknown queue is an error naming it (exit 2)', async () => {
    const args = ['queue', 'retry', 'nosuch', '--yes', '--redis', redis.url, '--prefix', P];
    const r = await run(args);
    assertCode(args, r, 2);
    assert.match(r.stderr, /'nosuch' not found/);
  });
});

describe('corrupted data', () => {
  test('an id without a hash and a key of the wrong type are reported; the others move', async () => {
    const P = 'cq';
    await seedFailed(redis, P, 'q', 10);
    const ids = await io.zrange(`${P}:q:failed`, 0, -1);
    await io.del(`${P}:q:${ids[2]}`);
    await io.del(`${P}:q:${ids[5]}`);
    await io.set(`${P}:q:${ids[5]}`, 'not a hash');
    for (const filter of [[], ['--name', 'job']]) {
      const args = ['queue', 'retry', 'q', '--yes', ...filter];
      const r = await opsctl(P, ...args);
      assertCode(args, r, 2);
      const bad = r.json.problems.map((p) => p.id).sort();
      assert.deepEqual(bad, [ids[2], ids[5]].sort(), JSON.stringify(r.json.problems));
      assert.match(JSON.stringify(r.json.problems), /no job hash/);
      assert.match(JSON.stringify(r.json.problems), /not a hash/);
    }
    assert.deepEqual((await io.zrange(`${P}:q:failed`, 0, -1)).sort(), [ids[2], ids[5]].sort());
    assert.equal(await io.llen(`${P}:q:wait`), 8);
    assert.equal(await io.get(`${P}:q:${ids[5]}`), 'not a hash');
  });

  test('hundreds of skipped jobs across batches, many at one score: each reported once, all others moved', async () => {
    const P = 'cm';
    await seedFailed(redis, P, 'q', 1500);
    const ids = await io.zrange(`${P}:q:failed`, 0, -1);
    // 600 jobs share one score, so pages must skip over the ones that stay by offset.
    const same = Date.now() - 3600_000;
    await io.zadd(`${P}:q:failed`, ...ids.slice(300, 900).flatMap((id) => [same, id]));
    const broken = ids.filter((_, i) => i % 3 === 0);
    await io.del(...broken.map((id) => `${P}:q:${id}`));
    const limited = await opsctl(P, 'queue', 'retry', 'q', '--yes', '--limit', '100');
    assertCode(['queue', 'retry', '--limit'], limited, 2);
    assert.equal(limited.json.matched, 100);
    const r = await opsctl(P, 'queue', 'retry', 'q', '--yes');
    assertCode(['queue', 'retry'], r, 2);
    const reported = r.json.problems.map((p) => p.id);
    assert.equal(new Set(reported).size, reported.length, 'a job reported twice');
    assert.deepEqual([...reported].sort(), [...broken].sort());
    assert.equal(r.json.changed + limited.json.changed, 1000);
    assert.deepEqual((await io.zrange(`${P}:q:failed`, 0, -1)).sort(), [...broken].sort());
    assert.equal(await io.llen(`${P}:q:wait`), 1000);
  });

  test('a state key of the wrong type: refused before any change (exit 3)', async () => {
    const P = 'cw';
    await seedFailed(redis, P, 'q', 3);
    await io.del(`${P}:q:wait`);
    await io.set(`${P}:q:wait`, 'oops');
    const args = ['queue', 'retry', 'q', '--yes', '--redis', redis.url, '--prefix', P];
    const r = await run(args);
    assertCode(args, r, 3);
    assert.match(r.stderr, /wait/);
    assert.equal(await io.zcard(`${P}:q:failed`), 3);
  });
});

describe('audit', () => {
  let secured;
  const SECRET = 'Retry-Audit-S3cret';
  before(async () => { secured = await startRedis({ password: SECRET }); });
  after(async () => { await secured?.stop(); });

  test('one JSON line per run, with the contract fields and no password', async () => {
    const P = 'aq';
    await seedFailed(secured, P, 'q', 5);
    const log = path.join(tempDir('audit'), 'audit.jsonl');
    const viaEnv = ['queue', 'retry', 'q', '--dry-run', '-o', 'json', '--redis', secured.url, '--prefix', P,
      '--audit-log', log];
    const r1 = await run(viaEnv, { env: { REDIS_PASSWORD: SECRET } });
    assertCode(viaEnv, r1, 0);
    const viaUrl = ['queue', 'retry', 'q', '--yes', '-o', 'json', '--redis', secured.authUrl, '--prefix', P,
      '--audit-log', log];
    const r2 = await run(viaUrl);
    assertCode(viaUrl, r2, 0);
    const text = readFileSync(log, 'utf8');
    assert.ok(!text.includes(SECRET), 'password in the audit log');
    assert.ok(!r2.stdout.includes(SECRET) && !r2.stderr.includes(SECRET), 'password in the output');
    const recs = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(recs.length, 2);
    for (const k of ['time', 'user', 'host', 'context', 'command_line', 'target', 'action', 'matched', 'changed',
      'dry_run', 'result']) {
      assert.ok(k in recs[0] && k in recs[1], `audit field ${k}: ${JSON.stringify(recs)}`);
    }
    assert.equal(recs[0].action, 'queue.retry');
    assert.deepEqual([recs[0].dry_run, recs[0].matched, recs[0].changed], [true, 5, 0]);
    assert.deepEqual([recs[1].dry_run, recs[1].matched, recs[1].changed], [false, 5, 5]);
    assert.match(recs[1].target, new RegExp(`${P}:q`));
  });
});
