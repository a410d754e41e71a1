// The built-in `stale-cache` runbook against a real Redis: a hash whose timestamp field is two hours
// old is deleted (after --yes) and the "application" (a loop here that recomputes the key when it is
// missing) brings it back fresh; a dry run changes nothing; the age from the TTL the application sets;
// a fresh key is left alone; without a TTY and --yes the delete is refused.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';

import { tempDir } from '../lib/harness.mjs';
import { finding, runbook, step } from '../lib/runbook_helpers.mjs';
import { useRedis } from '../lib/servers.mjs';

const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const HOUR = 3600 * 1000;

// The application: recomputes KEY whenever it is missing.
function application(key) {
  const app = { recomputed: 0 };
  app.timer = setInterval(() => {
    redis.io.exists(key).then(async (n) => {
      if (n) return;
      app.recomputed++;
      await redis.io.hset(key, 'value', 'fresh', 'computed_at', String(Date.now()));
    }).catch(() => {});
  }, 100);
  app.timer.unref();  // never keeps the suite alive after a failed assertion
  return app;
}

const args = (key, extra = []) => ['stale-cache', '--param', `key=${key}`, '--redis', redis.url,
  '--audit-log', path.join(tempDir('audit'), 'a.jsonl'), ...extra];

test('a stale hash is deleted after confirmation and comes back fresh', async () => {
  const key = 'cache:pricing';
  await redis.io.hset(key, 'value', 'old', 'computed_at', String(Date.now() - 2 * HOUR));
  const dry = await runbook([...args(key, ['--param', 'field=computed_at']), '--dry-run'], { code: 2 });
  const f = step(dry.json, 'freshness');
  assert.equal(f.status, 'critical');
  assert.equal(finding(f, 'age_from'), 'field');
  assert.ok(finding(f, 'age_ms') >= 2 * HOUR - 5000);
  assert.equal(step(dry.json, 'delete').status, 'dry-run');
  assert.equal(await redis.io.hget(key, 'value'), 'old');

  const refused = await runbook(args(key, ['--param', 'field=computed_at']), { code: 4 });
  assert.equal(refused.json.outcome, 'refused');
  assert.equal(await redis.io.hget(key, 'value'), 'old');

  const app = application(key);
  const r = await runbook([...args(key, ['--param', 'field=computed_at', '--param', 'verify_timeout=10s']), '--yes'],
    { code: 0 });
  assert.equal(r.json.outcome, 'verified', r.describe);
  assert.equal(step(r.json, 'delete').changed, 1);
  assert.equal(finding(step(r.json, 'fresh_again'), 'fresh'), true);
  clearInterval(app.timer);
  assert.equal(app.recomputed, 1);
  assert.equal(await redis.io.hget(key, 'value'), 'fresh');
  assert.match(r.json.comms, /Stale cache cache:pricing: ok \(verified\)/);
});

test('the age from the TTL the application sets; a fresh key is left alone', async () => {
  await redis.io.set('cache:ttl', 'x', 'EX', 3600);  // set with 2h: one hour ago
  const stale = await runbook([...args('cache:ttl', ['--param', 'ttl=2h']), '--dry-run'], { code: 2 });
  assert.equal(finding(step(stale.json, 'freshness'), 'age_from'), 'ttl');
  assert.ok(Math.abs(finding(step(stale.json, 'freshness'), 'age_ms') - HOUR) < 5000);

  await redis.io.set('cache:new', 'x', 'EX', 7190);
  const fresh = await runbook([...args('cache:new', ['--param', 'ttl=2h']), '--yes'], { code: 0 });
  assert.equal(fresh.json.outcome, 'nothing-to-do', fresh.describe);
  assert.equal(step(fresh.json, 'delete').status, 'skipped');
  assert.equal(await redis.io.exists('cache:new'), 1);
});
