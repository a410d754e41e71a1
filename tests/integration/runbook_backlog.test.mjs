// The built-in `backlog` runbook against real BullMQ 6.7.0 queues and workers: a paused queue with 80
// waiting jobs and a running Worker (dry run exits 2 and changes nothing; the real run resumes it and
// the worker drains it), no workers connected, retrying failed jobs, read_only contexts, the audit
// log and the transcript.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { dumpQueue } from '../lib/dump.mjs';
import { pausedBacklog } from '../lib/fixtures.mjs';
import { assertCode, run, tempDir, waitFor } from '../lib/harness.mjs';
import { bullmq, finding, runbook, step } from '../lib/runbook_helpers.mjs';
import { useRedis } from '../lib/servers.mjs';
import { AUDIT_FIELDS, auditLines, readOnlyConfig } from '../lib/state_helpers.mjs';

const { Queue, Worker } = bullmq;
const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const db = redis.io;
const closers = redis.closers;

const connection = () => ({ host: redis.host, port: redis.port });

const pausedQueue = (prefix, jobs) => pausedBacklog(redis, Queue, prefix, jobs);

function worker(prefix, fn) {
  const w = new Worker('emails', fn, { connection: connection(), prefix, drainDelay: 30, concurrency: 4 });
  closers.push(w);
  return w;
}

const backlog = (prefix, extra = []) =>
  ['backlog', '--param', 'queue=emails', '--redis', redis.url, '--prefix', prefix, ...extra];

describe('backlog', () => {
  test('a paused queue with 80 waiting and a running worker: dry run exits 2 and changes nothing; the real run resumes and the worker drains it', async () => {
    const P = 'rbpaused';
    const q = await pausedQueue(P, 80);
    let processed = 0;
    worker(P, async () => { processed++; });
    await waitFor(async () => (await q.getWorkers()).length > 0, { what: 'the worker to connect' });
    const dir = tempDir('backlog');
    const audit = path.join(dir, 'audit.jsonl');
    const before = await dumpQueue(db, P, 'emails');

    const dry = await runbook([...backlog(P), '--dry-run', '--audit-log', audit], { code: 2 });
    assert.equal(dry.json.status, 'critical');
    assert.equal(dry.json.outcome, 'dry-run');
    const counts = step(dry.json, 'counts');
    assert.equal(counts.kind, 'diagnose');
    assert.equal(counts.status, 'critical');
    assert.equal(finding(counts, 'waiting'), 80);
    assert.equal(finding(counts, 'paused'), true);
    assert.equal(finding(counts, 'workers'), 1);
    assert.equal(finding(step(dry.json, 'redis'), 'maxmemory_policy'), 'noeviction');
    assert.equal(step(dry.json, 'resume').status, 'dry-run');
    assert.equal(step(dry.json, 'resume').changed, 0);
    assert.equal(step(dry.json, 'retry').status, 'skipped');
    assert.equal(step(dry.json, 'drain').status, 'skipped');
    assert.deepEqual(await dumpQueue(db, P, 'emails'), before, 'the dry run changed the queue');
    assert.equal(processed, 0);

    const noYes = backlog(P, ['--audit-log', audit]);
    const refused = await run(['runbook', 'run', ...noYes]);
    assertCode(noYes, refused, 4);
    assert.match(refused.stderr, /step resume: no TTY to confirm on: pass --yes/);
    assert.deepEqual(await dumpQueue(db, P, 'emails'), before, 'the refused run changed the queue');

    const transcript = path.join(dir, 'incident.md');
    const real = await runbook([...backlog(P), '--yes', '--audit-log', audit, '--transcript', transcript], { code: 0 });
    assert.equal(real.json.status, 'ok', real.describe);
    assert.equal(real.json.outcome, 'verified');
    assert.equal(step(real.json, 'resume').status, 'done');
    assert.equal(step(real.json, 'resume').changed, 1);
    const drain = step(real.json, 'drain');
    assert.equal(drain.kind, 'verify');
    assert.equal(drain.status, 'passed');
    assert.ok(finding(drain, 'ready') < 80);
    await waitFor(() => processed === 80, { timeoutMs: 15000, what: 'the worker to drain the queue' });
    assert.equal(await q.isPaused(), false);

    const lines = auditLines(audit);
    assert.deepEqual(lines.map((l) => [l.action, l.dry_run, l.result]), [
      ['queue.resume', true, 'dry-run'],
      ['queue.resume', false, 'refused: no TTY to confirm on: pass --yes to run fix steps (or --dry-run to preview)'],
      ['queue.resume', false, 'ok'],
    ]);
    for (const l of lines) for (const f of AUDIT_FIELDS) assert.ok(f in l, `audit field ${f}`);
    assert.match(lines[2].target, new RegExp(`${P}:emails \\(runbook backlog, step resume\\)`));

    const md = readFileSync(transcript, 'utf8');
    assert.match(md, /^# Runbook backlog: OK \(verified\)/);
    assert.match(md, /## What was found[\s\S]*\(counts\)\*\*: critical — queue\.inspect: emails: 80 waiting/);
    assert.match(md, /\*\*warning\*\*: the queue is paused, so workers take nothing from it/);
    assert.match(md, /## What was done[\s\S]*resume .*emails \(80 jobs waiting\)/);
    assert.match(md, /## Verification[\s\S]*passed/);
    assert.match(md, /## Comms\n\n\[P2\] Queue backlog on emails: ok \(verified\)/);
  });

  test('no workers connected is critical, the transcript says so, and the drain check fails within verify_timeout', async () => {
    const P = 'rbnoworkers';
    await pausedQueue(P, 30);
    const transcript = path.join(tempDir('noworkers'), 't.md');
    const started = Date.now();
    const r = await runbook([...backlog(P, ['--param', 'verify_timeout=2s']), '--yes', '--transcript', transcript,
      '--audit-log', path.join(tempDir('a'), 'a.jsonl')], { code: 2 });
    assert.ok(Date.now() - started < 15000);
    assert.equal(r.json.outcome, 'failed');
    const counts = step(r.json, 'counts');
    assert.equal(finding(counts, 'workers'), 0);
    assert.ok(counts.messages.some((m) => m.status === 'critical' && /no workers are connected/.test(m.message)));
    assert.equal(step(r.json, 'resume').status, 'done');
    const drain = step(r.json, 'drain');
    assert.equal(drain.status, 'failed');
    assert.match(drain.error, /still false after 2s/);
    const md = readFileSync(transcript, 'utf8');
    assert.match(md, /no workers are connected to emails: opsctl cannot start workers/);
  });

  test('retry_failed=true sends failed jobs back and the worker completes them', async () => {
    const P = 'rbretry';
    const q = new Queue('emails', { connection: connection(), prefix: P });
    closers.push(q);
    await q.addBulk(Array.from({ length: 25 }, (_, i) => ({ name: 'send', data: { i } })));
    let done = 0;
    worker(P, async (job) => {
      if (job.attemptsMade === 0) throw new Error('smtp timeout');
      done++;
    });
    await waitFor(async () => (await q.getJobCounts('failed')).failed === 25, { what: '25 failed jobs' });
    const plain = await runbook([...backlog(P), '--dry-run'], { code: 2 });
    assert.equal(step(plain.json, 'retry').status, 'skipped');
    assert.ok(step(plain.json, 'counts').messages.some((m) => /most frequent reason: smtp timeout/.test(m.message)));

    const r = await runbook([...backlog(P, ['--param', 'retry_failed=true']), '--yes',
      '--audit-log', path.join(tempDir('a'), 'a.jsonl')], { code: 0 });
    assert.equal(step(r.json, 'resume').status, 'skipped');
    assert.equal(step(r.json, 'retry').status, 'done');
    assert.equal(step(r.json, 'retry').changed, 25);
    assert.equal(step(r.json, 'drain').status, 'passed');
    await waitFor(() => done === 25, { timeoutMs: 15000, what: 'the retried jobs to complete' });
  });

  test('a read_only context diagnoses and previews, but refuses the fix with exit 4', async () => {
    const P = 'rbreadonly';
    await pausedQueue(P, 60);
    const before = await dumpQueue(db, P, 'emails');
    const config = readOnlyConfig(redis, P);
    const dry = await runbook(['backlog', '--param', 'queue=emails', '--config', config, '--dry-run'], { code: 2 });
    assert.equal(step(dry.json, 'resume').status, 'dry-run');
    const r = await runbook(['backlog', '--param', 'queue=emails', '--config', config, '--yes'], { code: 4 });
    assert.equal(r.json.outcome, 'refused');
    assert.equal(step(r.json, 'resume').status, 'refused');
    assert.match(r.stderr, /context ro is read_only/);
    assert.deepEqual(await dumpQueue(db, P, 'emails'), before);
  });

  test('parameters are checked before anything runs; a hostile queue name is just a name', async () => {
    const missing = ['runbook', 'run', 'backlog', '--redis', redis.url];
    const r = await run(missing);
    assertCode(missing, r, 64);
    assert.match(r.stderr, /runbook backlog needs --param queue=\.\.\./);
    const typo = ['runbook', 'run', 'backlog', '--param', 'queue=q', '--param', 'retry_faild=true', '--redis', redis.url];
    const r2 = await run(typo);
    assertCode(typo, r2, 64);
    assert.match(r2.stderr, /did you mean 'retry_failed'/);

    const marker = path.join(tempDir('hostile'), 'pwned');
    for (const q of [`; touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``]) {
      const h = await runbook(['backlog', '--param', `queue=${q}`, '--redis', redis.url, '--dry-run'], { code: 2 });
      assert.equal(step(h.json, 'counts').status, 'failed');
      assert.match(step(h.json, 'counts').error, /not found under prefix/);
    }
    assert.equal(existsSync(marker), false);
  });
});
