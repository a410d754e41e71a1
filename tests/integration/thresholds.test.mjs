// Thresholds of the queue checks from the config: the top-level thresholds: block, a context's,
// per-queue overrides, flags over all of them, and bad values named with file and context (exit 78).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { seedBacklog } from '../lib/fixtures.mjs';
import { assertCode, run, runJson, seedMeta, tempDir } from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const redis = useRedis();
let dir;
const NOW = Date.now();

function writeConfig(name, text) {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

setup(async () => {
  dir = tempDir('thresholds');
  // q and r: 12 jobs waiting a few seconds, no worker connected (a backlog above 10 warns at once).
  for (const q of ['q', 'r']) {
    await seedMeta(redis, q);
    await seedBacklog(redis, q, 12, () => ({ name: 'x', data: '{}', opts: '{}', timestamp: NOW - 3000, atm: 0 }));
  }
});

const config = () => [
  'current-context: c',
  'thresholds:',
  '  warn-wait: 1',
  '  queues:',
  '    r: {crit-wait: 11}',
  'contexts:',
  '  - name: c',
  `    redis: redis://127.0.0.1:${redis.port}`,
  '    thresholds:',
  '      crit-wait: 100',
  '      queues:',
  '        q: {warn-wait: 20, window: 30m}',
  '',
].join('\n');

describe('thresholds from the config', () => {
  test('per queue in the context beats the context, which beats the top level', async () => {
    const p = writeConfig('a.yaml', config());
    const q = await runJson(['queue', 'inspect', 'q', '-o', 'json', '--config', p]);
    assertCode(['queue', 'inspect', 'q'], q, 0);
    assert.equal(q.json.thresholds.warn_wait, 20);
    assert.equal(q.json.thresholds.crit_wait, 100);
    assert.equal(q.json.thresholds.window_ms, 30 * 60_000);
    // r: the top-level per-queue crit-wait 11 loses to the context's crit-wait 100; warn-wait 1 (top level)
    const r = await runJson(['queue', 'inspect', 'r', '-o', 'json', '--config', p]);
    assertCode(['queue', 'inspect', 'r'], r, 1);
    assert.equal(r.json.thresholds.warn_wait, 1);
    assert.equal(r.json.thresholds.crit_wait, 100);
  });

  test('a flag beats every config level', async () => {
    const p = writeConfig('b.yaml', config());
    const args = ['queue', 'inspect', 'q', '-o', 'json', '--config', p, '--warn-wait', '5', '--crit-wait', '10'];
    const r = await runJson(args);
    assertCode(args, r, 2);
    assert.equal(r.json.status, 'critical');
  });

  test('queue list judges each queue with its own thresholds', async () => {
    const p = writeConfig('c.yaml', config());
    const r = await runJson(['queue', 'list', '-o', 'json', '--config', p]);
    const by = Object.fromEntries(r.json.queues.map((x) => [x.queue, x.status]));
    assert.deepEqual(by, { q: 'ok', r: 'warning' });
    const checked = await run(['queue', 'list', '--check', '--config', p]);
    assertCode(['queue', 'list', '--check'], checked, 1);
  });

  test('a bad value is a configuration error naming the file, the context and the threshold', async () => {
    const p = writeConfig('bad.yaml', config().replace('window: 30m', 'window: 30x'));
    const args = ['queue', 'inspect', 'q', '--config', p];
    const r = await run(args);
    assertCode(args, r, 78);
    assert.ok(r.stderr.includes(p), r.stderr);
    assert.match(r.stderr, /context c, queue q: threshold window/);
  });

  test('thresholds.queues must be a map of maps', async () => {
    const p = writeConfig('shape.yaml', config().replace('        q: {warn-wait: 20, window: 30m}', '        q: 20'));
    const r = await run(['queue', 'inspect', 'q', '--config', p]);
    assertCode(['queue', 'inspect', 'q'], r, 78);
    assert.match(r.stderr, /shape\.yaml:12: thresholds of queue q in context "c" must be a map/);
  });

  test('a threshold name no check knows is ignored with a warning naming the likely one', async () => {
    const p = writeConfig('typo.yaml', config().replace('      crit-wait: 100', '      crit-wait: 100\n      warn_wait: 3'));
    const r = await runJson(['queue', 'inspect', 'q', '-o', 'json', '--config', p]);
    assertCode(['queue', 'inspect', 'q'], r, 0);
    assert.equal(r.stderr, `opsctl: warning: ${p}: context c: unknown threshold 'warn_wait' is ignored (did you mean 'warn-wait'?)\n`);
  });

  test('a usage error for a bad threshold flag', async () => {
    for (const bad of [['--window', 'soon'], ['--warn-failure-ratio', '150'], ['--warn-wait', '-1']]) {
      const r = await run(['queue', 'inspect', 'q', ...bad, '--redis', redis.url]);
      assertCode(bad, r, 64);
    }
  });
});
