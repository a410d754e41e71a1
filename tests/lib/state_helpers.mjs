// Helpers of the queue-state suites (pause, resume, promote, unstick): running a mutation as JSON,
// twin dumps, and the safety-protocol checks every mutating verb must pass.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { dumpQueue } from './dump.mjs';
import { assertCode, describeRun, REPO, run, runJson, tempDir } from './harness.mjs';

// opsctl <args> -o json --redis <url> --prefix <prefix> [--yes]; asserts the exit code.
export async function mutate(redis, prefix, args, { yes = true, code = 0, env = {}, extra = [] } = {}) {
  const full = [...args, '-o', 'json', '--redis', redis.url, '--prefix', prefix, ...(yes ? ['--yes'] : []), ...extra];
  const r = await runJson(full, { env });
  assertCode(full, r, code);
  for (const f of ['action', 'target', 'dry_run', 'matched', 'changed', 'ids', 'problems']) {
    assert.ok(f in r.json, `field ${f} missing: ${describeRun(full, r)}`);
  }
  return r.json;
}

// The normalised dump of one queue, through a fresh ioredis client of the server.
export async function dump(redis, prefix, queue, client) {
  return dumpQueue(client ?? redis.client(), prefix, queue);
}

// A config file with a read_only context on this server; returns its path.
export function readOnlyConfig(redis, prefix) {
  const p = path.join(tempDir('ro'), 'config.yaml');
  writeFileSync(p, ['current-context: ro', 'contexts:', '  - name: ro', `    redis: ${redis.url}`,
    `    prefix: ${prefix}`, '    read_only: true', ''].join('\n'));
  return p;
}

// The safety protocol on a queue with something to change: --dry-run reports matched > 0 and
// changes nothing; no --yes without a TTY exits 4; a read_only context exits 4. Returns the dry run.
export async function assertSafety(redis, prefix, queue, args, client) {
  const before = await dump(redis, prefix, queue, client);
  const dry = await mutate(redis, prefix, [...args, '--dry-run'], { yes: false });
  assert.equal(dry.dry_run, true);
  assert.ok(dry.matched > 0, `dry run matched nothing: ${JSON.stringify(dry)}`);
  assert.equal(dry.changed, 0);
  assert.deepEqual(await dump(redis, prefix, queue, client), before, 'the dry run changed the queue');

  const noYes = [...args, '--redis', redis.url, '--prefix', prefix];
  const r = await run(noYes);
  assertCode(noYes, r, 4);
  assert.match(r.stderr, /--yes/);
  assert.deepEqual(await dump(redis, prefix, queue, client), before, 'refused run changed the queue');

  const ro = [...args, '--config', readOnlyConfig(redis, prefix), '--yes'];
  const r2 = await run(ro);
  assertCode(ro, r2, 4);
  assert.match(r2.stderr, /read_only/);
  assert.deepEqual(await dump(redis, prefix, queue, client), before, 'read_only run changed the queue');
  return dry;
}

// The audit lines written to a file.
export function auditLines(file) {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

export const AUDIT_FIELDS = ['time', 'user', 'host', 'context', 'command_line', 'target', 'action', 'matched',
  'changed', 'dry_run', 'result'];

// Ids 1..n pushed raw, as a BullMQ 5 paused list holds them (LPUSH order: n is the tail).
export async function rawList(client, key, from, to) {
  for (let i = from; i <= to; i += 5000) {
    const ids = [];
    for (let j = i; j <= Math.min(to, i + 4999); j++) ids.push(String(j));
    await client.lpush(key, ...ids);
  }
}

// deepEqual of two dumps, failing with only the keys that differ (a full dump is unreadable).
export function assertSameDump(actual, expected, message = 'dumps differ') {
  const diff = {};
  for (const k of new Set([...Object.keys(actual), ...Object.keys(expected)])) {
    try {
      assert.deepStrictEqual(actual[k], expected[k]);
    } catch {
      diff[k] = { opsctl: actual[k], bullmq: expected[k] };
    }
  }
  assert.deepEqual(diff, {}, `${message}: ${JSON.stringify(diff, null, 1).slice(0, 3000)}`);
}

// An opsctl Lua script as the build embeds it (`--- @include "x"` expanded once), to call a script
// directly and prove its own re-checks (opsctl filters ids before the call, which hides them).
export function loadScript(name) {
  const dir = path.join(REPO, 'lib', 'queue', 'redis', 'lua');
  const seen = new Set();
  const expand = (text) => text.replace(/--- @include "([A-Za-z0-9_]+)"/g, (_, inc) => {
    if (seen.has(inc)) return '';
    seen.add(inc);
    return expand(readFileSync(path.join(dir, 'includes', `${inc}.lua`), 'utf8'));
  });
  return expand(readFileSync(path.join(dir, `${name}.lua`), 'utf8'));
}
