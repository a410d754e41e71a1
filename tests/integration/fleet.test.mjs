// A fleet in one command (issue 15): `--context a,b,c` and `--all-contexts` run queue list, queue
// inspect and health in every context at once, each in its own session and thread with its own
// --timeout. Three contexts with queues on two redis-servers, one at a refused port and one at a
// listener that never answers: the broken ones are findings (their row says the error), the others
// are answered, the run takes about one --timeout however many contexts hang, and the exit code is
// the worst context's.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';

import { assertCode, lines, refusedPort, run, runJson, seedMeta, silentServer, tempDir, HOST } from '../lib/harness.mjs';
import { seedBacklog } from '../lib/fixtures.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const one = useRedis();
const two = useRedis();
const LIMIT_MS = 3000;  // one --timeout 1s plus the start of the process on a loaded machine

let config;
let silent;
const stops = [];
after(async () => { for (const s of stops) await s(); });

setup(async () => {
  silent = await silentServer();
  stops.push(() => silent.close());
  const refused = await refusedPort();
  await seedMeta(one, 'emails');
  await seedBacklog(one, 'emails', 3, (i) => ({ name: 'send', data: '{}', timestamp: String(Date.now() - i) }));
  await seedMeta(one, 'reports', 'other');
  await seedMeta(two, 'emails');
  await seedBacklog(two, 'emails', 5, (i) => ({ name: 'send', data: '{}', timestamp: String(Date.now() - i) }));
  config = path.join(tempDir('fleet'), 'config.yaml');
  writeFileSync(config, `current-context: alpha
contexts:
  - name: alpha
    redis: ${one.url}
  - name: beta
    redis: ${one.url}
    prefix: other
  - name: gamma
    redis: ${two.url}
  - name: refused
    redis: redis://${HOST}:${refused}
  - name: silent
    redis: ${silent.url}
  - name: silent2
    redis: ${silent.url}
  - name: silent3
    redis: ${silent.url}
`);
});

const opsctl = (args, opts) => run(['--config', config, ...args], opts);
const json = (args, opts) => runJson(['--config', config, ...args], opts);
const FINE = 'alpha,beta,gamma';

test('text: one table with a leading CONTEXT column, a row per queue of every context', async () => {
  const args = ['--context', FINE, 'queue', 'list'];
  const r = await opsctl(args);
  assertCode(args, r, 0);
  const rows = lines(r.stdout);
  assert.match(rows[0], /^CONTEXT\s+QUEUE\s+STATUS\s+PAUSED\s+ACTIVE\s+COMPLETED/);
  assert.deepEqual(rows.slice(1).map((l) => l.split(/\s+/).slice(0, 2)), [['alpha', 'emails'], ['beta', 'reports'], ['gamma', 'emails']]);
  const col = rows[0].indexOf('WAITING');
  assert.equal(rows[1].slice(col, col + 7).trim(), '3');
  assert.equal(rows[3].slice(col, col + 7).trim(), '5');
});

test('json: an array, one element per context in order, each the verb\'s document plus context and error', async () => {
  const args = ['--context', FINE, 'queue', 'list', '-o', 'json'];
  const r = await json(args);
  assertCode(args, r, 0);
  assert.ok(Array.isArray(r.json));
  assert.deepEqual(r.json.map((d) => d.context), ['alpha', 'beta', 'gamma']);
  assert.deepEqual(r.json.map((d) => d.error), [null, null, null]);
  assert.deepEqual(r.json.map((d) => d.prefix), ['bull', 'other', 'bull']);
  assert.deepEqual(r.json.map((d) => d.queues.map((q) => [q.queue, q.counts.waiting])), [[['emails', 3]], [['reports', 0]], [['emails', 5]]]);

  const inspect = ['--context', 'alpha,gamma', 'queue', 'inspect', 'emails', '-o', 'json'];
  const i = await json(inspect);
  assertCode(inspect, i, 0);
  assert.deepEqual(i.json.map((d) => [d.context, d.queue, d.counts.waiting, d.error]), [['alpha', 'emails', 3, null], ['gamma', 'emails', 5, null]]);
});

test('--all-contexts: every context in file order; refused and silent ones are findings with their error, exit the worst', async () => {
  const args = ['--all-contexts', '--timeout', '1s', 'health', '-o', 'json'];
  const r = await json(args, { timeoutMs: 15000 });
  assertCode(args, r, 2);
  assert.ok(r.ms < LIMIT_MS, `took ${Math.round(r.ms)} ms`);
  assert.deepEqual(r.json.map((d) => d.context), ['alpha', 'beta', 'gamma', 'refused', 'silent', 'silent2', 'silent3']);
  assert.deepEqual(r.json.map((d) => d.status), ['ok', 'ok', 'ok', 'critical', 'critical', 'critical', 'critical']);
  assert.match(r.json[3].checks[0].message, /connection refused/);
  assert.match(r.json[4].checks[0].message, /timed out/);

  const list = ['--context', 'alpha,refused,silent', '--timeout', '1s', 'queue', 'list', '-o', 'json'];
  const l = await json(list, { timeoutMs: 15000 });
  assertCode(list, l, 2);
  assert.equal(l.json[0].error, null);
  assert.equal(l.json[0].queues[0].queue, 'emails');
  assert.equal(l.json[1].error.kind, 'connection_refused');
  assert.equal(l.json[2].error.kind, 'timeout');
  assert.equal(l.json[2].status, 'critical');
  const err = lines(l.stderr);
  assert.ok(err.some((e) => e.startsWith('opsctl: context refused: redis ') && /refused/.test(e)), l.stderr);
  assert.ok(err.some((e) => e.startsWith('opsctl: context silent: redis ') && /timed out/.test(e)), l.stderr);

  const text = ['--context', 'gamma,refused', '--timeout', '1s', 'queue', 'inspect', 'emails'];
  const t = await opsctl(text, { timeoutMs: 15000 });
  assertCode(text, t, 2);
  const rows = lines(t.stdout);
  assert.match(rows[0], /^CONTEXT\s+QUEUE\s+STATUS/);
  assert.match(rows[1], /^gamma\s+emails\s+OK\s/);
  assert.match(rows[2], /^refused\s+emails\s+CRITICAL\s.*error: redis .*connection refused/);
});

test('parallel: three silent contexts with --timeout 1s take one second, not three', async () => {
  const args = ['--context', 'silent,silent2,silent3', '--timeout', '1s', 'queue', 'list', '-o', 'json'];
  const r = await json(args, { timeoutMs: 15000 });
  assertCode(args, r, 2);
  assert.deepEqual(r.json.map((d) => d.error.kind), ['timeout', 'timeout', 'timeout']);
  assert.ok(r.ms >= 1000, `took ${Math.round(r.ms)} ms: the timeout was not waited for`);
  assert.ok(r.ms < 2500, `took ${Math.round(r.ms)} ms: the contexts did not run in parallel`);
});

test('nagios: one line, the worst status, the contexts with problems named', async () => {
  const args = ['--context', 'alpha,refused,gamma', '--timeout', '1s', 'health', '-o', 'nagios'];
  const r = await opsctl(args, { timeoutMs: 15000 });
  assertCode(args, r, 2);
  const out = lines(r.stdout);
  assert.equal(out.length, 1, r.stdout);
  assert.match(out[0], /^OPSCTL HEALTH CRITICAL - 1 of 3 contexts not ok: refused CRITICAL: .*connection refused.* \| /);
  assert.match(out[0], /alpha\/redis=\S+s/);
  assert.match(out[0], /gamma\/redis=\S+s/);

  const ok = ['--context', FINE, 'queue', 'list', '-o', 'nagios'];
  const o = await opsctl(ok);
  assertCode(ok, o, 0);
  assert.match(o.stdout, /^OPSCTL QUEUES OK - 3 contexts, all ok/);
});

test('prom: the samples of each context with a context label, HELP and TYPE once', async () => {
  const args = ['--context', 'alpha,gamma', 'queue', 'list', '-o', 'prom'];
  const r = await opsctl(args);
  assertCode(args, r, 0);
  const help = lines(r.stdout).filter((l) => l.startsWith('# HELP '));
  assert.equal(new Set(help).size, help.length, 'a HELP line twice');
  const samples = lines(r.stdout).filter((l) => !l.startsWith('#'));
  assert.ok(samples.length > 0);
  for (const s of samples) assert.match(s, /^opsctl_\w+\{context="(alpha|gamma)"/, s);
  assert.ok(samples.some((s) => /^opsctl_queue_status\{context="alpha",.*queue="emails"/.test(s)), r.stdout);
  assert.ok(samples.some((s) => /^opsctl_queue_status\{context="gamma",.*queue="emails"/.test(s)), r.stdout);
  assert.ok(samples.some((s) => /^opsctl_check_success\{context="gamma".*\} 1$/.test(s)), r.stdout);
});

test('usage errors: an unknown context, both flags, a verb that runs in one context', async () => {
  const unknown = ['--context', 'alpha,nope', 'queue', 'list'];
  const u = await opsctl(unknown);
  assertCode(unknown, u, 64);
  assert.match(u.stderr, /no context 'nope'/);
  assert.equal(u.stdout, '');

  const both = ['--context', 'alpha', '--all-contexts', 'health'];
  assertCode(both, await opsctl(both), 64);

  for (const verb of [['queue', 'retry', 'emails', '--yes'], ['db', 'pool'], ['config', 'view']]) {
    const args = ['--all-contexts', ...verb];
    const r = await opsctl(args);
    assertCode(args, r, 64);
    assert.match(r.stderr, /queue list, queue inspect and health/);
  }
  const j = await json(['--context', 'alpha,beta', 'job', 'show', 'emails', '1', '-o', 'json']);
  assert.equal(j.code, 64);
  assert.equal(j.json.error.kind, 'usage');
  assert.equal(await one.cli('LLEN', 'bull:emails:wait'), '3');
});
