// runbook lint, list and show: broken files reported with file:line and exit 78 (bad YAML, unknown
// action, unknown parameter, unknown finding, bad condition), the built-in runbooks clean, runbook
// directories and their precedence, and a runbook file's exec step that never reaches a shell.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { assertCode, run, runJson, sandbox, tempDir } from '../lib/harness.mjs';
import { finding, runbook, step } from '../lib/runbook_helpers.mjs';

const GOOD = `name: hello
description: says hello through printf
severity: P3
params:
  - {name: who, type: string, required: true}
steps:
  - id: greet
    kind: diagnose
    action: exec
    with:
      command: [printf, "hello %s", "{params.who}"]
    checks:
      - {when: findings.exit_code != 0, status: critical, message: "printf failed"}
`;

function file(dir, name, text) {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function lint(target, code) {
  const args = ['runbook', 'lint', target];
  const r = await run(args);
  assertCode(args, r, code);
  return r;
}

describe('runbook lint', () => {
  test('the built-in runbooks are clean', async () => {
    const r = await runJson(['runbook', 'lint', '-o', 'json']);
    assertCode(['runbook', 'lint'], r, 0);
    assert.equal(r.json.ok, true);
    assert.deepEqual(r.json.files.map((f) => [f.name, f.ok, f.diagnostics.length]),
      [['backlog', true, 0], ['failed-jobs', true, 0], ['job-table', true, 0], ['pool-exhaustion', true, 0], ['rollback', true, 0], ['scheduler', true, 0], ['stale-cache', true, 0],
        ['stuck-job', true, 0]]);
    for (const name of ['backlog', 'stuck-job', 'pool-exhaustion', 'rollback']) {
      const t = await lint(name, 0);
      assert.match(t.stdout, new RegExp(`^built-in:${name}\\.yaml: ok: \\d+ parameters, \\d+ steps`));
    }
  });

  test('broken files: file:line and exit 78 for each kind of mistake', async () => {
    const dir = tempDir('lint');
    const cases = [
      ['bad-yaml.yaml', GOOD.replace('    with:\n', '    with: [\n'), /bad-yaml\.yaml:\d+: invalid YAML/],
      ['unknown-action.yaml', GOOD.replace('action: exec', 'action: exce'),
        /unknown-action\.yaml:9: error: step greet: unknown action 'exce' \(did you mean 'exec'\?\)/],
      ['unknown-param.yaml', GOOD.replace('{params.who}', '{params.whom}'),
        /unknown-param\.yaml:11: error: unknown parameter 'whom' \(did you mean 'who'\?\)/],
      ['unknown-finding.yaml', GOOD.replace('findings.exit_code', 'findings.exitcode'),
        /unknown-finding\.yaml:13: error: 'findings\.exitcode': action exec has no finding 'exitcode' \(did you mean 'exit_code'\?\)/],
      ['bad-condition.yaml', GOOD.replace('findings.exit_code != 0', 'findings.exit_code <> 0'),
        /bad-condition\.yaml:13: when: expected a value, a reference or '\(', found '>' at column 21/],
      ['bad-types.yaml', GOOD.replace('findings.exit_code != 0', "findings.exit_code == 'zero'"),
        /bad-types\.yaml:13: error: 'findings\.exit_code == 'zero'' compares a number with a string/],
      ['bad-arg.yaml', GOOD.replace('      command:', '      comand:'),
        /bad-arg\.yaml:11: error: action exec has no argument 'comand' \(did you mean 'command'\?\)/],
    ];
    for (const [name, text, expected] of cases) {
      const r = await lint(file(dir, name, text), 78);
      assert.match(r.stderr, expected, `${name}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`${name.replace('.', '\\.')}: errors`));
    }
    const ok = await lint(file(dir, 'hello.yaml', GOOD), 0);
    assert.match(ok.stdout, /hello\.yaml: ok: 1 parameters, 1 steps \(1 diagnose, 0 fix, 0 verify\)/);
    const missing = await lint(path.join(dir, 'nope.yaml'), 78);
    assert.match(missing.stderr, /nope\.yaml: cannot read/);
  });

  test('run refuses a runbook with lint errors (exit 78) and runs nothing', async () => {
    const dir = tempDir('lintrun');
    const marker = path.join(dir, 'ran');
    const text = GOOD.replace('[printf, "hello %s", "{params.who}"]', `[touch, "${marker}"]`)
      .replace('findings.exit_code != 0', 'findings.exitcode != 0');
    const args = ['runbook', 'run', file(dir, 'broken.yaml', text), '--param', 'who=x'];
    const r = await run(args);
    assertCode(args, r, 78);
    assert.match(r.stderr, /broken\.yaml:13: error:.*no finding 'exitcode'/);
    assert.equal(existsSync(marker), false);
  });

  test('a runbook file runs; its exec arguments never reach a shell', async () => {
    const dir = tempDir('hostile');
    const marker = path.join(dir, 'pwned');
    const path1 = file(dir, 'hello.yaml', GOOD);
    for (const who of [`; touch ${marker}`, `$(touch ${marker})`, `\`touch ${marker}\``, `| touch ${marker}`]) {
      const r = await runbook([path1, '--param', `who=${who}`], { code: 0 });
      assert.equal(finding(step(r.json, 'greet'), 'stdout'), `hello ${who}`);
    }
    assert.equal(existsSync(marker), false);
  });

  test('list and show: --runbook-dir, then $XDG_CONFIG_HOME/opsctl/runbooks, then the built-in ones', async () => {
    const dir = tempDir('rbdir');
    file(dir, 'hello.yaml', GOOD);
    file(dir, 'backlog.yaml', GOOD.replace('name: hello', 'name: backlog').replace('says hello', 'my own backlog'));
    file(dir, 'broken.yml', 'name: [\n');
    const xdg = path.join(sandbox().config, 'opsctl', 'runbooks');
    mkdirSync(xdg, { recursive: true });
    file(xdg, 'mine.yaml', GOOD.replace('name: hello', 'name: mine'));

    const r = await runJson(['runbook', 'list', '--runbook-dir', dir, '-o', 'json']);
    assertCode(['runbook', 'list'], r, 0);
    const rows = r.json.runbooks.map((x) => [x.name, x.origin === 'built-in' ? 'built-in' : path.basename(x.origin), x.shadowed]);
    assert.deepEqual(rows, [
      ['backlog', path.basename(dir), false], ['backlog', 'built-in', true], ['broken', path.basename(dir), false],
      ['failed-jobs', 'built-in', false], ['hello', path.basename(dir), false], ['job-table', 'built-in', false], ['mine', 'runbooks', false], ['pool-exhaustion', 'built-in', false],
      ['rollback', 'built-in', false], ['scheduler', 'built-in', false], ['stale-cache', 'built-in', false], ['stuck-job', 'built-in', false]]);
    assert.match(r.json.runbooks.find((x) => x.name === 'broken').error, /broken\.yml:\d+: invalid YAML/);

    const shown = await runJson(['runbook', 'show', 'backlog', '--runbook-dir', dir, '-o', 'json']);
    assert.equal(shown.json.description, 'my own backlog through printf');
    const builtin = await runJson(['runbook', 'show', 'backlog', '-o', 'json']);
    assert.equal(builtin.json.source, 'built-in:backlog.yaml');
    assert.deepEqual(builtin.json.params.map((p) => p.name),
      ['queue', 'warn_wait', 'crit_wait', 'max_wait_age', 'retry_failed', 'verify_timeout']);
    assert.deepEqual(builtin.json.steps.map((s) => [s.id, s.kind, s.action]), [
      ['counts', 'diagnose', 'queue.inspect'], ['redis', 'diagnose', 'health.redis'], ['resume', 'fix', 'queue.resume'],
      ['retry', 'fix', 'queue.retry'], ['drain', 'verify', 'queue.inspect']]);
    const text = await run(['runbook', 'show', 'rollback']);
    assert.match(text.stdout, /switch_command +command +yes/);

    const unknown = ['runbook', 'show', 'backlgo'];
    const u = await run(unknown);
    assertCode(unknown, u, 64);
    assert.match(u.stderr, /no runbook named 'backlgo' \(did you mean 'backlog'\?\)/);
    const completed = await run(['__complete', 'runbook', 'run', '']);
    assert.deepEqual(completed.stdout.split('\n').filter(Boolean), ['backlog', 'failed-jobs', 'job-table', 'mine', 'pool-exhaustion', 'rollback', 'scheduler', 'stale-cache',
      'stuck-job']);
    const missingDir = ['runbook', 'list', '--runbook-dir', path.join(dir, 'nope')];
    assertCode(missingDir, await run(missingDir), 78);
  });
});
