// Helpers of the runbook suites: the pinned BullMQ from tests/compat, running `opsctl runbook run`
// as JSON, and finding a step of the report.
import assert from 'node:assert/strict';

import { requireCompat } from './compat-modules.mjs';
import { assertCode, describeRun, runJson } from './harness.mjs';

export const bullmq = requireCompat('bullmq');

// opsctl runbook run <args> -o json; asserts the exit code and the fixed fields of the report.
export async function runbook(args, { code, env = {}, timeoutMs = 60000 } = {}) {
  const full = ['runbook', 'run', ...args, '-o', 'json'];
  const r = await runJson(full, { env, timeoutMs });
  if (code !== undefined) assertCode(full, r, code);
  for (const f of ['runbook', 'status', 'steps']) assert.ok(f in r.json, `field ${f} missing: ${describeRun(full, r)}`);
  for (const s of r.json.steps) {
    for (const f of ['id', 'kind', 'status', 'findings', 'changed']) {
      assert.ok(f in s, `step field ${f} missing: ${JSON.stringify(s)}`);
    }
    assert.ok(Array.isArray(s.findings), 'findings is a list');
  }
  // The run, with one line per step first: a full JSON report is longer than a failure message shows.
  const steps = r.json.steps.map((s) => `  ${s.id} ${s.kind} ${s.status}: ${s.note ?? s.error ?? s.summary ?? ''}`);
  return { ...r, describe: `${r.json.outcome} (${r.json.status})\n${steps.join('\n')}\n${describeRun(full, r)}` };
}

// The step of a report with this id.
export function step(report, id) {
  const s = report.steps.find((x) => x.id === id);
  assert.ok(s, `no step ${id} in ${JSON.stringify(report.steps.map((x) => x.id))}`);
  return s;
}

// A finding's value: findings are [{name, value}].
export function finding(s, name) {
  const f = s.findings.find((x) => x.name === name);
  assert.ok(f, `step ${s.id} has no finding ${name}: ${JSON.stringify(s.findings)}`);
  return f.value;
}
