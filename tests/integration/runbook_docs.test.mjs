// opsctl-runbook(5) is lint-clean, and the runbook of its EXAMPLES section loads and lints clean
// with the binary (the action/argument/finding lists are checked against the code by a unit test).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { assertCode, REPO, run, tempDir } from '../lib/harness.mjs';

const man = path.join(REPO, 'man', 'opsctl-runbook.5');

test('mandoc -T lint finds nothing in opsctl-runbook(5), and no line is longer than 80 bytes', () => {
  const out = execFileSync('mandoc', ['-T', 'lint', '-W', 'style', man], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(out, '');
  const long = readFileSync(man, 'utf8').split('\n').filter((l) => Buffer.byteLength(l) > 80);
  assert.deepEqual(long, []);
});

test('the example runbook of the man page lints clean', async () => {
  const text = readFileSync(man, 'utf8');
  const examples = text.slice(text.indexOf('\n.SH EXAMPLES\n'));
  const body = examples.slice(examples.indexOf('.EX\n') + 4, examples.indexOf('\n.EE\n'));
  const yaml = body.replace(/\\-/g, '-').replace(/\\e/g, '\\');
  assert.match(yaml, /^name: restart-workers\n/);
  const file = path.join(tempDir('man'), 'restart-workers.yaml');
  writeFileSync(file, `${yaml}\n`);
  const args = ['runbook', 'lint', file];
  const r = await run(args);
  assertCode(args, r, 0);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /restart-workers\.yaml: ok: 2 parameters, 3 steps \(1 diagnose, 1 fix, 1 verify\)/);
});
