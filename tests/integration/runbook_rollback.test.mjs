// The built-in `rollback` runbook behind a real nginx with two backends: no-op when the live URL is
// healthy, dry run, the rollback itself, refusal when both colours are down, a verification failure
// that switches back and restores the state file, and hostile words in the switch command.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';

import { freePort, run, tempDir } from '../lib/harness.mjs';
import { startBlueGreen } from '../lib/nginx.mjs';
import { finding, runbook, step } from '../lib/runbook_helpers.mjs';
import { auditLines } from '../lib/state_helpers.mjs';

let bg;

before(async () => { bg = await startBlueGreen(); });
after(async () => { await bg?.stop(); });
beforeEach(async () => { await bg.reset(); });

function params(extra = {}) {
  const p = {
    state_file: bg.stateFile,
    live_url: bg.liveUrl,
    blue_url: bg.blue.url,
    green_url: bg.green.url,
    switch_command: `${process.execPath} ${bg.switchScript} {to}`,
    verify_timeout: '10s',
    ...extra,
  };
  return Object.entries(p).flatMap(([k, v]) => ['--param', `${k}=${v}`]);
}

describe('rollback', () => {
  test('the live URL is healthy: nothing to do, exit 0, no confirmation needed', async () => {
    const r = await runbook(['rollback', ...params()], { code: 0 });
    assert.equal(r.json.outcome, 'nothing-to-do');
    assert.equal(step(r.json, 'live').status, 'ok');
    assert.ok(step(r.json, 'live').messages.some((m) => /nothing to roll back/.test(m.message)));
    for (const id of ['standby', 'switch', 'record', 'live_ok']) assert.equal(step(r.json, id).status, 'skipped');
    assert.deepEqual(bg.switches(), []);
    assert.equal(bg.state(), 'blue\n');
  });

  test('dry run: blue fails, green is healthy; it shows the switch and changes nothing', async () => {
    bg.blue.healthy = false;
    assert.equal((await bg.live()).status, 503);
    const upstream = bg.upstream();
    const r = await runbook(['rollback', ...params(), '--dry-run'], { code: 2 });
    assert.equal(r.json.status, 'critical');
    assert.equal(step(r.json, 'current').status, 'ok');
    assert.equal(finding(step(r.json, 'current'), 'content'), 'blue');
    assert.deepEqual(finding(step(r.json, 'target'), 'value'), { colour: 'green', url: bg.green.url });
    assert.equal(finding(step(r.json, 'live'), 'http_status'), 503);
    assert.equal(step(r.json, 'standby').status, 'ok');
    const sw = step(r.json, 'switch');
    assert.equal(sw.status, 'dry-run');
    assert.deepEqual(finding(sw, 'argv'), [process.execPath, bg.switchScript, 'green']);
    assert.equal(step(r.json, 'record').status, 'dry-run');
    assert.equal(step(r.json, 'live_ok').status, 'skipped');
    assert.deepEqual(bg.switches(), []);
    assert.equal(bg.state(), 'blue\n');
    assert.equal(bg.upstream(), upstream);
  });

  test('rollback: switches to green, records it atomically, verifies the live URL answers 200', async () => {
    bg.blue.healthy = false;
    const dir = tempDir('rollback');
    const audit = path.join(dir, 'audit.jsonl');
    const transcript = path.join(dir, 'rollback.md');
    const r = await runbook(['rollback', ...params(), '--yes', '--audit-log', audit, '--transcript', transcript], { code: 0 });
    assert.equal(r.json.outcome, 'verified', r.describe);
    assert.equal(step(r.json, 'switch').status, 'done');
    assert.equal(finding(step(r.json, 'switch'), 'exit_code'), 0);
    assert.match(finding(step(r.json, 'switch'), 'stdout'), /switched to green/);
    assert.equal(step(r.json, 'record').status, 'done');
    assert.equal(finding(step(r.json, 'record'), 'previous'), 'blue\n');
    assert.equal(step(r.json, 'live_ok').status, 'passed');
    assert.deepEqual(bg.switches(), [['green']]);
    assert.equal(bg.state(), 'green\n');
    assert.deepEqual(await bg.live(), { status: 200, body: 'green' });
    assert.deepEqual(auditLines(audit).map((l) => [l.action, l.result]), [['exec', 'ok'], ['file.write', 'ok']]);
    const md = readFileSync(transcript, 'utf8');
    assert.match(md, /^# Runbook rollback: OK \(verified\)/);
    assert.match(md, /switched to green/);
    assert.match(md, /## Comms\n\n\[P1\] Blue-green rollback: ok \(verified\)\.\nLive .* was: HTTP 503/);
  });

  test('both colours down: refuses, changes nothing, exit 2', async () => {
    bg.blue.healthy = false;
    bg.green.healthy = false;
    const r = await runbook(['rollback', ...params()], { code: 2 });
    assert.equal(r.json.outcome, 'unresolved');
    const standby = step(r.json, 'standby');
    assert.equal(standby.status, 'critical');
    assert.ok(standby.messages.some((m) => /green colour is unhealthy too .*refusing to switch, nothing was changed/.test(m.message)));
    assert.equal(step(r.json, 'switch').status, 'skipped');
    assert.equal(step(r.json, 'record').status, 'skipped');
    assert.deepEqual(bg.switches(), []);
    assert.equal(bg.state(), 'blue\n');
  });

  test('the live URL still fails after the switch: switch back, restore the state file, exit 2', async () => {
    bg.blue.healthy = false;
    // A bad deploy of the switch itself: green answers on its own URL, but the switch points nginx
    // at a port where nothing listens.
    bg.ports({ blue: bg.blue.port, green: await freePort() });
    const audit = path.join(tempDir('rb'), 'audit.jsonl');
    const r = await runbook(['rollback', ...params({ verify_timeout: '2s' }), '--yes', '--audit-log', audit], { code: 2 });
    assert.equal(r.json.outcome, 'rolled-back', r.describe);
    assert.equal(step(r.json, 'live_ok').status, 'failed');
    assert.match(step(r.json, 'live_ok').error, /until: findings.http_status == 200 still false after 2s/);
    assert.deepEqual(r.json.steps.map((s) => s.id).slice(-2), ['record.rollback', 'switch.rollback']);
    assert.equal(step(r.json, 'record.rollback').status, 'done');
    assert.equal(step(r.json, 'switch.rollback').status, 'done');
    assert.deepEqual(bg.switches(), [['green'], ['blue']]);
    assert.equal(bg.state(), 'blue\n');
    assert.match(bg.upstream(), new RegExp(`:${bg.blue.port};`));
    assert.deepEqual(auditLines(audit).map((l) => [l.action, l.result]),
      [['exec', 'ok'], ['file.write', 'ok'], ['file.write', 'ok'], ['exec', 'ok']]);
  });

  test('hostile words in parameters reach the program as single literal arguments, never a shell', async () => {
    bg.blue.healthy = false;
    const marker = path.join(tempDir('hostile'), 'pwned');
    const words = [`; touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``, `&& touch ${marker} #`];
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const cmd = `${process.execPath} ${bg.switchScript} {to} ${quoted}`;
    const r = await runbook(['rollback', ...params({ switch_command: cmd }), '--yes',
      '--audit-log', path.join(tempDir('a'), 'a.jsonl')], { code: 0 });
    assert.deepEqual(bg.switches(), [['green', ...words]]);
    assert.deepEqual(finding(step(r.json, 'switch'), 'argv').slice(2), ['green', ...words]);
    assert.equal(existsSync(marker), false);

    const bad = ['runbook', 'run', 'rollback', ...params({ switch_command: `${bg.switchScript} '{to}` })];
    const u = await run(bad);
    assert.equal(u.code, 64, u.stderr);
    assert.match(u.stderr, /parameter switch_command: unclosed ' in the command/);
  });

  test('a state file that names no colour stops the diagnosis', async () => {
    const state = path.join(tempDir('state'), 'colour');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(state, 'purple\n');
    const r = await runbook(['rollback', ...params({ state_file: state }), '--dry-run'], { code: 2 });
    assert.equal(step(r.json, 'target').status, 'failed');
    assert.equal(step(r.json, 'target').error, "'purple' is not one of blue, green");
    assert.equal(step(r.json, 'live').status, 'not-run');
  });
});
