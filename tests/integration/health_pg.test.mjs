// opsctl health --pg against a real PostgreSQL: a real login (a wrong password is critical), slot
// accounting as db pool, a full server reported as "no free connection slots", in parallel with HTTP.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertCode, runJson, sleep } from '../lib/harness.mjs';
import { APP_PASSWORD } from '../lib/pg.mjs';
import { usePostgres } from '../lib/servers.mjs';

const pg = usePostgres();

const health = (args, env) => runJson(['health', '-o', 'json', ...args], { env });

test('a healthy server: login, SELECT 1, slots, primary', async () => {
  const args = ['--pg', pg.appUrl];
  const r = await health(args, pg.appEnv);
  assertCode(args, r, 0);
  const c = r.json.checks[0];
  assert.equal(c.kind, 'postgres');
  assert.equal(c.status, 'ok');
  assert.equal(c.details.in_recovery, false);
  assert.equal(c.details.usable, 9);  // max_connections 12 - superuser_reserved 3
  assert.ok(c.details.available > 0 && c.details.available <= 9);
  assert.ok(!JSON.stringify(r.json).includes(APP_PASSWORD));
});

test('a wrong password is critical and says so', async () => {
  const r = await health(['--pg', pg.appUrl], { PGPASSWORD: 'wrong-one' });
  assert.equal(r.code, 2);
  assert.equal(r.json.checks[0].status, 'critical');
  assert.match(r.json.checks[0].message, /password/i);
  assert.ok(!r.stdout.includes('wrong-one'));
});

test('sessions holding slots are counted as db pool counts them', async () => {
  const before = (await health(['--pg', pg.appUrl], pg.appEnv)).json.checks[0].details;
  const clients = [0, 1, 2].map(() => pg.hold('leaky', ['BEGIN;', 'SELECT 1;']));
  await Promise.all(clients.map((c) => c.ready()));
  const after3 = (await health(['--pg', pg.appUrl], pg.appEnv)).json.checks[0].details;
  assert.equal(after3.used, before.used + 3, JSON.stringify({ before, after3 }));
  assert.equal(after3.available, before.available - 3);
});

test('a full server: "no free connection slots", critical, within --timeout', async () => {
  const clients = [];
  for (let i = 0; i < 9; i++) clients.push(pg.hold('filler', ['SELECT 1;']));
  await Promise.all(clients.map((c) => c.ready()));
  await sleep(500);
  const args = ['--timeout', '2s', '--pg', pg.appUrl];
  const r = await health(args, pg.appEnv);
  assertCode(args, r, 2);
  assert.ok(r.ms < 2500, `took ${r.ms} ms`);
  assert.match(r.json.checks[0].message, /^no free connection slots/);
});
