// runbook run on a terminal (script(1) gives opsctl one; the input is what the user types): each fix
// asks first, "n" refuses (exit 4, nothing changed), "y" proceeds; a `confirm: true` context also
// wants its name typed, even with --yes; progress lines go to the terminal.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { dumpQueue } from '../lib/dump.mjs';
import { pausedBacklog } from '../lib/fixtures.mjs';
import { OPSCTL_BIN, run, tempDir, waitFor } from '../lib/harness.mjs';
import { bullmq } from '../lib/runbook_helpers.mjs';
import { useRedis } from '../lib/servers.mjs';

const { Queue, Worker } = bullmq;
const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const db = redis.io;

const onTty = (args, input) =>
  run(['-qec', [OPSCTL_BIN, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], { bin: 'script', input });

async function pausedQueue(prefix, n) {
  const q = await pausedBacklog(redis, Queue, prefix, n);
  // A worker waits on the paused queue: the drain check needs one.
  const w = new Worker('emails', async () => {}, { connection: { host: redis.host, port: redis.port }, prefix,
    drainDelay: 30 });
  redis.closers.push(w);
  await waitFor(async () => (await q.getWorkers()).length > 0, { what: 'the worker to connect' });
  return q;
}

const backlog = (prefix) => ['runbook', 'run', 'backlog', '--param', 'queue=emails', '--redis', redis.url,
  '--prefix', prefix, '--audit-log', path.join(tempDir('audit'), 'a.jsonl')];

test('on a terminal each fix asks: n refuses and changes nothing, y proceeds', async () => {
  const P = 'ttyask';
  const q = await pausedQueue(P, 5);
  const before = await dumpQueue(db, P, 'emails');
  const no = await onTty(backlog(P), 'n\n');
  assert.equal(no.code, 4, no.stdout);
  assert.match(no.stdout, /Runbook backlog, step resume \(queue\.resume\): resume ttyask:emails \(5 jobs waiting\)/);
  assert.match(no.stdout, /Proceed\? \[y\/N\]/);
  assert.match(no.stdout, /\.\.\. counts \(diagnose: queue\.inspect\)/);
  assert.match(no.stdout, /step resume: not confirmed; nothing more was changed/);
  assert.deepEqual(await dumpQueue(db, P, 'emails'), before);

  const yes = await onTty(backlog(P), 'y\n');
  assert.equal(yes.code, 0, yes.stdout);
  assert.match(yes.stdout, /Runbook backlog \(P2\): OK \(verified\)/);
  assert.equal(await q.isPaused(), false);
});

test('a confirm: true context wants its name typed on a terminal, even with --yes', async () => {
  const P = 'ttyprod';
  const q = await pausedQueue(P, 5);
  const config = path.join(tempDir('cfg'), 'config.yaml');
  writeFileSync(config, ['current-context: prod', 'contexts:', '  - name: prod', `    redis: ${redis.url}`,
    `    prefix: ${P}`, '    confirm: true', ''].join('\n'));
  const args = ['runbook', 'run', 'backlog', '--param', 'queue=emails', '--config', config, '--yes',
    '--audit-log', path.join(tempDir('audit'), 'a.jsonl')];
  const wrong = await onTty(args, 'staging\n');
  assert.equal(wrong.code, 4, wrong.stdout);
  assert.match(wrong.stdout, /Context prod asks for confirmation: type its name to continue/);
  assert.equal(await q.isPaused(), true);
  const right = await onTty(args, 'prod\n');
  assert.equal(right.code, 0, right.stdout);
  assert.equal(await q.isPaused(), false);
});
