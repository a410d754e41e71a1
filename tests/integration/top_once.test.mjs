// opsctl top without a terminal (--once, a pipe, -o json) and queue inspect --watch: one frame with
// the verdict's exit status, rolling lines with deltas, JSON lines, Ctrl-C ends a watch with 0.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { OPSCTL_BIN, assertCode, cleanEnv, refusedPort, run, runJson, seedJob, seedMeta, tempDir, waitFor } from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const redis = useRedis();

async function waitingJobs(queue, n, prefix = 'bull') {
  await seedMeta(redis, queue, prefix);
  const now = Date.now();
  for (let i = 1; i <= n; i++) {
    await seedJob(redis, queue, String(i), { name: 'send', data: '{}', opts: '{}', timestamp: now - 1000 }, prefix);
    await redis.cli('RPUSH', `${prefix}:${queue}:wait`, String(i));
  }
  await redis.cli('SET', `${prefix}:${queue}:id`, String(n));
}

setup(async () => {
  await waitingJobs('calm', 2, 'once');
  await waitingJobs('busy', 60, 'once');  // > 50 waiting: critical backlog
});

test('without a TTY: one text frame, every queue a row, exit status of the worst verdict', async () => {
  const args = [...redis.args('once'), 'top'];
  const r = await run(args);
  assertCode(args, r, 2);
  assert.match(r.stdout, /^opsctl top \[queues\]  redis 127\.0\.0\.1:\d+ prefix once  every 2s$/m);
  assert.match(r.stdout, /^QUEUE\s+STATUS\s+WAIT\s+ACTIVE/m);
  assert.match(r.stdout, /^busy\s+CRITICAL\s+60\s/m);
  assert.match(r.stdout, /^calm\s+OK\s+2\s/m);
  // Worst first (sort by status).
  assert.ok(r.stdout.indexOf('\nbusy') < r.stdout.indexOf('\ncalm'));
  assert.equal(r.stderr, '');
});

test('--once with thresholds: the verdict decides the exit status, as queue inspect', async () => {
  const args = [...redis.args('once'), 'top', '--once', '--crit-wait', '100', '--warn-wait', '40'];
  const r = await run(args);
  assertCode(args, r, 1);
  assert.match(r.stdout, /^busy\s+WARNING/m);
  const ok = await run([...redis.args('once'), 'top', '--once', '--crit-wait', '1000', '--warn-wait', '900']);
  assert.equal(ok.code, 0);
});

test('-o json: one document with every field of every queue', async () => {
  const r = await runJson([...redis.args('once'), '-o', 'json', 'top']);
  assert.equal(r.code, 2);
  const doc = r.json;
  assert.equal(doc.status, 'critical');
  assert.equal(doc.interval_ms, 2000);
  assert.deepEqual(doc.contexts_failed, []);
  assert.equal(doc.queues.length, 2);
  const busy = doc.queues.find((q) => q.queue === 'busy');
  for (const k of ['context', 'queue', 'paused', 'status', 'waiting', 'active', 'delayed', 'failed', 'completed',
    'completed_per_min', 'failed_per_min', 'rates_from', 'oldest_waiting_age_ms', 'processing_p95_ms', 'workers', 'finding']) {
    assert.ok(k in busy, k);
  }
  assert.equal(busy.waiting, 60);
  assert.equal(busy.status, 'critical');
  assert.equal(busy.rates_from, 'window');
  assert.equal(busy.context, null);
  assert.ok(busy.oldest_waiting_age_ms >= 1000);
});

test('an unreachable Redis: exit 2, one line naming the target; -o json has the error', async () => {
  const port = await refusedPort();
  const args = ['--redis', `redis://127.0.0.1:${port}`, 'top', '--once'];
  const r = await run(args);
  assertCode(args, r, 2);
  assert.match(r.stderr, /^opsctl: redis 127\.0\.0\.1:\d+: connection refused/);
  const j = await runJson(['--redis', `redis://127.0.0.1:${port}`, '-o', 'json', 'top']);
  assert.equal(j.code, 2);
  assert.equal(j.json.error.kind, 'connection_refused');
});

test('bad flags are usage errors: --interval too short, -o nagios', async () => {
  for (const extra of [['top', '--interval', '10ms'], ['-o', 'nagios', 'top'], ['queue', 'inspect', 'calm', '--watch', '1ms']]) {
    const args = [...redis.args('once'), ...extra];
    const r = await run(args);
    assert.equal(r.code, extra[0] === '-o' ? 3 : 64, `${args.join(' ')}: ${r.stderr}`);
  }
});

// Starts a watch, collects stdout lines until `count` arrived, then interrupts it as Ctrl-C does.
async function watch(args, count, during = async () => {}) {
  const child = spawn(OPSCTL_BIN, args, { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  await waitFor(() => out.split('\n').filter(Boolean).length >= 1, { what: 'the first line' });
  await during();
  await waitFor(() => out.split('\n').filter(Boolean).length >= count, { what: `${count} lines`, timeoutMs: 15000 });
  child.kill('SIGINT');
  const end = await exited;
  return { ...end, lines: out.split('\n').filter(Boolean), stderr: err };
}

test('queue inspect --watch: rolling lines with the figures and their changes; Ctrl-C exits 0', async () => {
  await waitingJobs('watched', 3, 'w');
  const r = await watch([...redis.args('w'), 'queue', 'inspect', 'watched', '--watch', '300ms'], 3, async () => {
    await redis.cli('RPUSH', 'w:watched:wait', '4', '5');
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.signal, null);
  for (const l of r.lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  active 0  completed 0 .* waiting \d+ .*  OK$/);
  assert.match(r.lines[0], /waiting 3  /);
  assert.ok(r.lines.some((l) => /waiting 5 \(\+2\)/.test(l)), r.lines.join('\n'));
});

test('queue inspect --watch -o json: one JSON object a line with time and deltas', async () => {
  await waitingJobs('jsonw', 1, 'wj');
  const r = await watch([...redis.args('wj'), '-o', 'json', 'queue', 'inspect', 'jsonw', '--watch', '300ms'], 3, async () => {
    await redis.cli('RPUSH', 'wj:jsonw:wait', '2');
  });
  assert.equal(r.code, 0, r.stderr);
  const docs = r.lines.map((l) => JSON.parse(l));
  assert.equal(docs[0].deltas, null);
  for (const d of docs) {
    assert.equal(d.queue, 'jsonw');
    assert.match(d.time, /Z$/);
    assert.ok('counts' in d && 'status' in d);
  }
  assert.ok(docs.slice(1).every((d) => typeof d.deltas.waiting === 'number'));
  assert.ok(docs.some((d) => d.deltas?.waiting === 1), JSON.stringify(docs.map((d) => d.deltas)));
});

test('--context a,b: the rows of both contexts in one frame with a CONTEXT column; a context that fails is named', async () => {
  const dir = tempDir('top-fleet');
  const config = path.join(dir, 'config.yaml');
  const port = await refusedPort();
  writeFileSync(config, `contexts:\n  - name: east\n    redis: ${redis.url}\n    prefix: once\n  - name: gone\n    redis: redis://127.0.0.1:${port}\n`);
  const args = ['--config', config, '--timeout', '1s', '--context', 'east,gone', 'top', '--once'];
  const r = await run(args);
  assertCode(args, r, 2);
  assert.match(r.stdout, /^opsctl top \[queues\]  2 contexts: east, gone/m);
  assert.match(r.stdout, /^CONTEXT\s+QUEUE\s+STATUS/m);
  assert.match(r.stdout, /^east\s+busy\s+CRITICAL/m);
  assert.match(r.stdout, /^context gone: redis 127\.0\.0\.1:\d+: connection refused/m);
  const j = await runJson(['--config', config, '--timeout', '1s', '--all-contexts', '-o', 'json', 'top']);
  assert.deepEqual(j.json.queues.map((q) => `${q.context}/${q.queue}`).sort(), ['east/busy', 'east/calm']);
  assert.deepEqual(j.json.contexts_failed.map((c) => c.context), ['gone']);
});
