// Contexts that protect production: `confirm: true` makes a terminal user type the context's name
// before any mutation (even with --yes); `read_only: true` refuses every mutation (exit 4).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { OPSCTL_BIN, run, sandbox, seedMeta } from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const redis = useRedis();
let config;
setup(async () => {
  const dir = path.join(sandbox().root, 'contexts');
  mkdirSync(dir, { recursive: true });
  config = path.join(dir, 'config.yaml');
  writeFileSync(config, `current-context: prod
contexts:
  - name: prod
    redis: ${redis.url}
    confirm: true
  - name: cron
    redis: ${redis.url}
    read_only: true
`);
  await seedMeta(redis, 'q');
});

const paused = async () => (await redis.cli('HEXISTS', 'bull:q:meta', 'paused')) === '1';
// script(1) gives opsctl a terminal; input is what the user types.
const onTty = (args, input) =>
  run(['-qec', [OPSCTL_BIN, ...args].map((a) => `'${a}'`).join(' '), '/dev/null'], { bin: 'script', input });

test('confirm: true: a wrong name on the terminal changes nothing (exit 4), the right one proceeds', async () => {
  const args = ['--config', config, 'queue', 'pause', 'q', '--yes'];
  const wrong = await onTty(args, 'staging\n');
  assert.equal(wrong.code, 4, wrong.stdout + wrong.stderr);
  assert.match(wrong.stdout, /Context prod asks for confirmation/);
  assert.equal(await paused(), false);
  const right = await onTty(args, 'prod\n');
  assert.equal(right.code, 0, right.stdout + right.stderr);
  assert.equal(await paused(), true);
  await redis.cli('HDEL', 'bull:q:meta', 'paused');
});

test('confirm: true without a terminal still needs --yes', async () => {
  const no = await run(['--config', config, 'queue', 'pause', 'q']);
  assert.equal(no.code, 4);
  assert.equal(await paused(), false);
  const yes = await run(['--config', config, 'queue', 'pause', 'q', '--yes']);
  assert.equal(yes.code, 0, yes.stderr);
  assert.equal(await paused(), true);
  await redis.cli('HDEL', 'bull:q:meta', 'paused');
});

test('a dry run names the context and the redacted target', async () => {
  const r = await run(['--config', config, 'queue', 'pause', 'q', '--dry-run']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Dry run: would .* in 127\.0\.0\.1:\d+ bull:q \(context prod\)\.$/m);
  assert.equal(await paused(), false);
});

test('read_only: true refuses every mutation, even with --yes', async () => {
  for (const verb of [['queue', 'pause', 'q'], ['queue', 'retry', 'q'], ['job', 'unstick', 'q']]) {
    const r = await run(['--config', config, '--context', 'cron', ...verb, '--yes']);
    assert.equal(r.code, 4, `${verb.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /read_only/);
  }
  assert.equal(await paused(), false);
});
