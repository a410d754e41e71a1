// Runbooks 2.0 engine, end to end with the built binary: approve steps (no TTY: exit 4 and the resume
// command; on a TTY through script(1): asked), the run history and `runbook history`, --resume after
// kill -9 that never repeats a completed fix (side effects counted in files), retry, parallel
// diagnoses, and notifications to a local HTTP receiver whose secret URL appears in no output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { OPSCTL_BIN, cleanEnv, run, runJson, tempDir, waitFor } from '../lib/harness.mjs';
import { runbook, step } from '../lib/runbook_helpers.mjs';

const SECRET = 'T0SECRET/B0SECRET/xoxo9secret';
let receiver;
let received = [];
let answer = 200;

before(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      received.push({ url: req.url, type: req.headers['content-type'], body: JSON.parse(body) });
      res.writeHead(answer);
      res.end('ok');
    });
  });
  await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
});
after(() => receiver.close());
const hookUrl = () => `http://127.0.0.1:${receiver.address().port}/services/${SECRET}`;

const sh = (script, ...args) => ['sh', '-c', script, 'sh', ...args];
const count = (dir, name) => (existsSync(path.join(dir, name))
  ? readFileSync(path.join(dir, name), 'utf8').split('\n').filter(Boolean).length : 0);

// A runbook whose steps leave one line per run in DIR/<step>: what ran, and how often.
function engineRunbook(dir, { notify = '', gate = false } = {}) {
  const file = path.join(dir, 'engine.yaml');
  const lines = [
    'name: engine-check',
    'description: side effects counted in files',
    'severity: P3',
    'comms: "engine-check {run.outcome}: {steps.fix1.status}"',
    notify,
    'params:',
    '  - name: dir',
    '    type: path',
    '    required: true',
    '  - name: nap',
    '    type: duration',
    '    default: 1s',
    'steps:',
    '  - id: look',
    '    kind: diagnose',
    '    action: exec',
    `    with: {command: ${JSON.stringify(sh('echo x >> "$1/look"', '{params.dir}'))}}`,
    '    checks:',
    '      - when: findings.exit_code == 0',
    '        status: warning',
    '        message: "something to fix in the test dir"',
    '  - id: fix1',
    '    kind: fix',
    '    action: exec',
    `    with: {command: ${JSON.stringify(sh('echo x >> "$1/fix1"', '{params.dir}'))}}`,
    '  - id: pause',
    '    kind: diagnose',
    '    action: wait',
    '    with: {duration: "{params.nap}"}',
    ...(gate ? ['  - id: gate', '    kind: fix', '    action: approve',
      '    with: {message: "fix2 may run ({steps.fix1.status})"}'] : []),
    '  - id: fix2',
    '    kind: fix',
    '    action: exec',
    `    with: {command: ${JSON.stringify(sh('echo x >> "$1/fix2"', '{params.dir}'))}}`,
    '  - id: check',
    '    kind: verify',
    '    action: exec',
    `    with: {command: ${JSON.stringify(sh('test -s "$1/fix2"', '{params.dir}'))}}`,
    '    timeout: 5s',
    '',
  ];
  writeFileSync(file, lines.join('\n'));
  return file;
}

function setup(opts) {
  const dir = tempDir('engine');
  const audit = path.join(dir, 'state', 'audit.jsonl');
  return { dir, audit, history: path.join(dir, 'state', 'runbook-history.jsonl'), file: engineRunbook(dir, opts),
    flags: ['--audit-log', audit] };
}

const records = (file) => readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

test('an approve step without a TTY stops with exit 4 and the resume command; --resume approves and goes on', async () => {
  const t = setup({ gate: true });
  const args = [t.file, '--param', `dir=${t.dir}`, '--yes', ...t.flags];
  const first = await runbook(args, { code: 4 });
  assert.equal(first.json.outcome, 'awaiting-approval', first.describe);
  assert.equal(step(first.json, 'gate').status, 'awaiting-approval');
  assert.equal(step(first.json, 'fix2').status, 'not-run');
  const id = first.json.run_id;
  assert.match(id, /^\d{8}-\d{6}-[0-9a-f]{4}$/);
  assert.ok(first.stderr.includes(`opsctl runbook run --resume ${id}\n`), first.stderr);
  assert.deepEqual([count(t.dir, 'look'), count(t.dir, 'fix1'), count(t.dir, 'fix2')], [1, 1, 0]);

  const again = await runbook(['--resume', id, '--yes', ...t.flags], { code: 0 });
  assert.equal(again.json.outcome, 'verified', again.describe);
  assert.equal(again.json.run_id, id);
  assert.equal(step(again.json, 'fix1').resumed, true);
  assert.equal(step(again.json, 'gate').status, 'approved');
  assert.match(step(again.json, 'gate').findings.find((f) => f.name === 'by').value, /@.*\(--resume\)/);
  assert.equal(again.json.comms, 'engine-check verified: done');
  assert.deepEqual([count(t.dir, 'look'), count(t.dir, 'fix1'), count(t.dir, 'fix2')], [1, 1, 1]);

  const hist = await runJson(['runbook', 'history', 'engine-check', '-o', 'json', ...t.flags]);
  assert.equal(hist.code, 0);
  assert.equal(hist.json.runs.length, 1);
  const r = hist.json.runs[0];
  assert.equal(r.run_id, id);
  assert.equal(r.outcome, 'verified');
  assert.equal(r.exit, 0);
  assert.equal(r.resumes, 1);
  assert.equal(r.resumable, false);
  assert.deepEqual(r.params, { dir: t.dir, nap: '1s' });
  assert.deepEqual(r.steps.map((s) => `${s.id}:${s.status}`),
    ['look:warning', 'fix1:done', 'pause:ok', 'gate:approved', 'fix2:done', 'check:passed']);
  const table = await run(['runbook', 'history', ...t.flags]);
  assert.match(table.stdout, /^RUN ID +RUNBOOK +STARTED +OUTCOME +EXIT +STEPS +DURATION +CONTEXT\n/);
  assert.match(table.stdout, new RegExp(`${id} +engine-check +\\S+ +verified +0 +6/6 `));

  const done = await run(['runbook', 'run', '--resume', id, '--yes', ...t.flags]);
  assert.equal(done.code, 64, done.stderr);
  assert.match(done.stderr, /has finished \(verified\): start a new run/);
});

test('on a TTY an approve step asks: n refuses, y approves', async () => {
  const t = setup({ gate: true });
  const onTty = (input) => run(['-qec', [OPSCTL_BIN, 'runbook', 'run', t.file, '--param', `dir=${t.dir}`, '--yes',
    ...t.flags].map((a) => `'${a}'`).join(' '), '/dev/null'], { bin: 'script', input });
  const no = await onTty('n\n');
  assert.equal(no.code, 4, no.stdout);
  assert.match(no.stdout, /Runbook engine-check, step gate needs approval: fix2 may run \(done\)\r?\nApprove\? \[y\/N\]/);
  assert.match(no.stdout, /step gate: not approved; nothing more was changed/);
  assert.equal(count(t.dir, 'fix2'), 0);
  const yes = await onTty('y\n');
  assert.equal(yes.code, 0, yes.stdout);
  assert.match(yes.stdout, /OK \(verified\)/);
  assert.equal(count(t.dir, 'fix2'), 1);
});

test('kill -9 during a wait after a fix: --resume continues at the wait and never runs the fix again', async () => {
  const t = setup();
  const child = spawn(OPSCTL_BIN, ['runbook', 'run', t.file, '--param', `dir=${t.dir}`, '--param', 'nap=30s', '--yes',
    ...t.flags, '-o', 'json'], { env: cleanEnv(), stdio: 'ignore' });
  const closed = new Promise((r) => child.on('close', (code, signal) => r(signal)));
  await waitFor(() => existsSync(t.history) && records(t.history).some((x) => x.step?.id === 'fix1'),
    { what: 'fix1 to be recorded' });
  child.kill('SIGKILL');
  assert.equal(await closed, 'SIGKILL');
  assert.deepEqual([count(t.dir, 'fix1'), count(t.dir, 'fix2')], [1, 0]);
  const id = records(t.history)[0].run_id;

  const hist = await runJson(['runbook', 'history', '-o', 'json', ...t.flags]);
  assert.equal(hist.json.runs[0].outcome, 'interrupted');
  assert.equal(hist.json.runs[0].resumable, true);

  const resumed = await runbook(['--resume', id, '--param', 'nap=1s', '--yes', ...t.flags], { code: 0 });
  assert.equal(resumed.json.outcome, 'verified', resumed.describe);
  assert.deepEqual(resumed.json.steps.map((s) => `${s.id}:${s.status}:${s.resumed ?? false}`),
    ['look:warning:true', 'fix1:done:true', 'pause:ok:false', 'fix2:done:false', 'check:passed:false']);
  assert.deepEqual([count(t.dir, 'look'), count(t.dir, 'fix1'), count(t.dir, 'fix2')], [1, 1, 1]);
  // Every fix audited once: fix1 by the first run, fix2 by the resumed one.
  const audited = records(t.audit).filter((a) => a.action === 'exec' && a.result === 'ok').map((a) => a.target);
  assert.equal(audited.filter((x) => /step fix1/.test(x)).length, 1);
  assert.equal(audited.filter((x) => /step fix2/.test(x)).length, 1);
});

test('notifications: start, findings and end reach the webhook; the secret URL is in no output', async () => {
  received = [];
  answer = 200;
  const t = setup({ notify: 'notify: {url_env: HOOK_URL, shape: generic, on_start: true, on_finding: warning, on_end: true}' });
  const transcript = path.join(t.dir, 't.md');
  const args = [t.file, '--param', `dir=${t.dir}`, '--yes', '--transcript', transcript, ...t.flags];
  const r = await runbook(args, { code: 0, env: { HOOK_URL: hookUrl() } });
  assert.equal(r.json.outcome, 'verified', r.describe);
  assert.deepEqual(received.map((x) => x.body.event), ['start', 'finding', 'end']);
  for (const x of received) {
    assert.equal(x.url, `/services/${SECRET}`);
    assert.equal(x.type, 'application/json');
    assert.equal(x.body.runbook, 'engine-check');
    assert.equal(x.body.run_id, r.json.run_id);
  }
  assert.match(received[0].body.text, /^\[P3\] runbook engine-check started/);
  assert.equal(received[1].body.level, 'warning');
  assert.match(received[1].body.text, /step look: warning: something to fix in the test dir/);
  assert.equal(received[2].body.text, 'engine-check verified: done');
  assert.deepEqual(r.json.notifications.map((n) => n.sent), [true, true, true]);
  const outputs = { stdout: r.stdout, stderr: r.stderr, history: readFileSync(t.history, 'utf8'),
    audit: readFileSync(t.audit, 'utf8'), transcript: readFileSync(transcript, 'utf8') };
  for (const [where, text] of Object.entries(outputs)) {
    assert.ok(!text.includes('SECRET') && !text.includes('xoxo9'), `the webhook secret is in ${where}`);
  }
});

test('a webhook that fails never stops the run; the slack shape is {"text"}; the error keeps the URL out', async () => {
  received = [];
  answer = 500;
  const t = setup({ notify: 'notify: {url_env: HOOK_URL, shape: slack, on_end: true, retries: 1, timeout: 2s}' });
  const r = await runbook([t.file, '--param', `dir=${t.dir}`, '--yes', ...t.flags],
    { code: 0, env: { HOOK_URL: hookUrl() } });
  assert.equal(r.json.outcome, 'verified', r.describe);
  assert.equal(received.length, 2, 'one retry');
  assert.deepEqual(received[0].body, { text: 'engine-check verified: done' });
  assert.equal(r.json.notifications[0].sent, false);
  assert.match(r.json.notifications[0].summary, /not sent after 2 attempts: HTTP 500/);
  assert.ok(!r.stdout.includes(SECRET) && !readFileSync(t.history, 'utf8').includes(SECRET));
  answer = 200;
});

test('retry runs a failing action again; parallel diagnoses report in the runbook\'s order', async () => {
  const dir = tempDir('retry');
  const file = path.join(dir, 'retry.yaml');
  writeFileSync(file, ['name: retry-check', 'description: d', 'severity: P3', 'steps:',
    '  - id: flaky', '    kind: diagnose', '    action: exec',
    `    with: {command: ${JSON.stringify(sh('echo x >> "$1/n"; test $(wc -l < "$1/n") -ge 3', dir))}}`,
    '    retry: {times: 3, delay: 100ms}',
    '  - id: slow', '    kind: diagnose', '    action: wait', '    parallel: true', '    with: {duration: 1500ms}',
    '  - id: slow2', '    kind: diagnose', '    action: wait', '    parallel: true', '    with: {duration: 1500ms}',
    '  - id: quick', '    kind: diagnose', '    action: lookup', '    parallel: true',
    '    with: {key: a, table: {a: 1}}', ''].join('\n'));
  const started = Date.now();
  const r = await runbook([file, '--audit-log', path.join(dir, 'a.jsonl')], { code: 0 });
  const took = Date.now() - started;
  assert.equal(step(r.json, 'flaky').status, 'ok', r.describe);
  assert.equal(step(r.json, 'flaky').attempts, 3);
  assert.equal(count(dir, 'n'), 3);
  assert.deepEqual(r.json.steps.map((s) => s.id), ['flaky', 'slow', 'slow2', 'quick']);
  assert.ok(took < 2900, `the two 1.5 s waits ran at the same time (${took} ms)`);
});
