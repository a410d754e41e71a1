// One queue guard for every mutation verb: the same Bull 3 queue, the same missing queue and the
// same wrong-typed key get the same exit code and the same words from each, and nothing changes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { dumpQueue } from '../lib/dump.mjs';
import { run } from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const P = 'gd';
const redis = useRedis();
const io = redis.io;

// Every mutation verb, with what it needs to get past its own flags to the guard.
const VERBS = [
  ['queue', 'retry', '%q'],
  ['queue', 'clear', '%q', '--state', 'failed'],
  ['queue', 'clear', '%q', '--all'],
  ['queue', 'pause', '%q'],
  ['queue', 'resume', '%q'],
  ['queue', 'promote', '%q'],
  ['job', 'retry', '%q', '1'],
  ['job', 'remove', '%q', '1'],
  ['job', 'promote', '%q', '1'],
  ['job', 'unstick', '%q'],
];

setup(async () => {
  // A Bull 3 queue as Bull writes it: no meta hash, a priority zset, failed job 1.
  await io.set(`${P}:old:id`, '2');
  await io.rpush(`${P}:old:wait`, '2');
  await io.zadd(`${P}:old:priority`, 0, '2');
  await io.zadd(`${P}:old:failed`, Date.now() - 1000, '1');
  await io.hset(`${P}:old:1`, 'name', 'x', 'data', '{}', 'failedReason', 'boom', 'attemptsMade', '1');
  await io.hset(`${P}:old:2`, 'name', 'x', 'data', '{}', 'timestamp', String(Date.now()));
});

async function each(queue, check) {
  const seen = new Map();
  for (const verb of VERBS) {
    const args = [...verb.map((a) => (a === '%q' ? queue : a)), '--yes', '--redis', redis.url, '--prefix', P];
    const r = await run(args);
    const line = r.stderr.trim().split('\n').pop();
    check(args, r, line);
    seen.set(args.slice(0, 2).join(' ') + (args.includes('--all') ? ' --all' : ''), [r.code, line]);
  }
  return seen;
}

describe('the same queue, the same answer from every mutation verb', () => {
  test('a Bull 3/4 queue: exit 3, one message, untouched', async () => {
    const before0 = await dumpQueue(io, P, 'old');
    const seen = await each('old', (args, r, line) => {
      assert.equal(r.code, 3, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(line, `opsctl: redis ${redis.host}:${redis.port}: queue ${P}:old is a Bull (v3/v4) queue: opsctl `
        + 'changes BullMQ 5/6 queues only; nothing changed', args.join(' '));
    });
    assert.equal(new Set([...seen.values()].map((v) => JSON.stringify(v))).size, 1, JSON.stringify([...seen]));
    assert.deepEqual(await dumpQueue(io, P, 'old'), before0);
  });

  test('a missing queue: exit 2, not found with a did-you-mean, for every verb', async () => {
    await each('olf', (args, r, line) => {
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(line, `opsctl: redis ${redis.host}:${redis.port}: queue 'olf' not found under prefix '${P}' `
        + "(did you mean 'old'?)", args.join(' '));
    });
  });
});
