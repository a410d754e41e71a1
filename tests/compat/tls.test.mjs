// queue retry and queue clear on a TLS-only Redis (port 0, tls-port) against BullMQ's own
// Queue.retryJobs and Queue.clean on twin queues: the real BullMQ builds the twins, runs their
// workers and does the twin's side over ioredis `tls: {ca, servername}`; opsctl reaches the same
// server by rediss:// with --tls-ca, or through a context's tls_ca; the dumps (also read over
// TLS) must not differ. The differential rules are those of retry.test.mjs and clear.test.mjs.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertCode, runJson, tempDir } from '../lib/harness.mjs';
import { makeCerts, startTlsRedis } from '../lib/redis-tls.mjs';
import { assertTwins as assertRemovalTwins, buildFinished, opsctlFor } from './removal_helpers.mjs';
import { assertTwins as assertRetryTwins, buildQueue, MIXED } from './retry-fixture.mjs';

let certs;
let tls;       // the TLS-only redis-server
let io;        // an ioredis client over TLS, for dumps and direct checks
const closers = [];  // BullMQ queues and flow producers, closed before the server stops

before(async () => {
  certs = await makeCerts();
  tls = await startTlsRedis(certs);
  io = tls.client();
  await io.config('SET', 'maxmemory-policy', 'noeviction');
});
after(async () => {
  for (const c of closers.reverse()) await c.close();
  await tls?.stop();
});

const withCa = (...args) => [...args, '--redis', tls.url, '--tls-ca', certs.ca];

test('the fixture: the server has no plain-text port, so every BullMQ connection below is TLS', async () => {
  assert.deepEqual(await io.config('GET', 'port'), ['port', '0']);
  assert.deepEqual(await io.config('GET', 'tls-port'), ['tls-port', String(tls.port)]);
});

describe('queue retry over TLS vs Queue.retryJobs (differential)', () => {
  test('failed, then completed, flows included: zero differences', async () => {
    const P = 'tr';
    await buildQueue(tls, P, 'twina', MIXED, { flow: true, opened: closers });
    const b = await buildQueue(tls, P, 'twinb', MIXED, { flow: true, opened: closers });
    await assertRetryTwins(io, P, 'twina', 'twinb', 'twins differ before the retry (fixture)');
    const failed = await b.getJobCountByTypes('failed');
    const completed = await b.getJobCountByTypes('completed');
    assert.ok(failed >= 5 && completed >= 3, `fixture: ${failed} failed, ${completed} completed`);

    const args = withCa('queue', 'retry', 'twina', '--prefix', P, '--yes', '-o', 'json');
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.stderr, '');
    assert.equal(r.json.changed, failed);
    assert.deepEqual(r.json.problems, []);
    assert.match(r.json.target, new RegExp(`^rediss://127\\.0\\.0\\.1:${tls.port} ${P}:twina$`));
    await b.retryJobs({ state: 'failed' });
    await assertRetryTwins(io, P, 'twina', 'twinb', 'after retry of failed over TLS');

    const c = await runJson([...args, '--state', 'completed']);
    assertCode(args, c, 0);
    assert.equal(c.json.changed, completed);
    await b.retryJobs({ state: 'completed' });
    await assertRetryTwins(io, P, 'twina', 'twinb', 'after retry of completed over TLS');
  });
});

describe('queue clear over TLS vs Queue.clean (differential)', () => {
  const handle = { get connection() { return tls.connection; }, closers };

  test('completed, then failed (with --tls-ca): the same keys left as clean(0, 0, state)', async () => {
    const P = 'tc';
    await buildFinished(handle, P, 'a');
    const b = await buildFinished(handle, P, 'b');
    const ops = opsctlFor(tls, P);
    const r = await ops(['queue', 'clear', 'a', '--state', 'completed', '--tls-ca', certs.ca]);
    assertCode(['queue clear --state completed over TLS'], r, 0);
    assert.deepEqual(await b.clean(0, 0, 'completed'), ['c1', 'c2', 'K1']);
    assert.deepEqual([...r.json.ids].sort(), ['K1', 'c1', 'c2']);
    await assertRemovalTwins(io, P, { q: 'a' }, { q: 'b' }, { message: 'after clear of completed over TLS' });

    const f = await ops(['queue', 'clear', 'a', '--state', 'failed', '--tls-ca', certs.ca]);
    assertCode(['queue clear --state failed over TLS'], f, 0);
    await b.clean(0, 0, 'failed');
    assert.equal(f.json.changed, 3);
    const d = await assertRemovalTwins(io, P, { q: 'a' }, { q: 'b' }, { message: 'after clear of failed over TLS' });
    assert.ok(!d.q.P && !d.q['de:df2'], 'the flow parent and the dedup key of f2 removed, like BullMQ');
  });

  test('a context with tls_ca on a rediss:// URL: --older-than like clean(grace, 0, "completed")', async () => {
    const P = 'tx';
    await buildFinished(handle, P, 'a');
    const b = await buildFinished(handle, P, 'b');
    // c1 and c2 finished an hour ago on both twins; K1 just now.
    const hourAgo = Date.now() - 3600_000;
    for (const q of ['a', 'b']) {
      for (const [i, id] of ['c1', 'c2'].entries()) {
        await io.zadd(`${P}:${q}:completed`, hourAgo + i, id);
        await io.hset(`${P}:${q}:${id}`, 'finishedOn', hourAgo + i);
      }
    }
    const config = path.join(tempDir('tls-ctx'), 'config.yaml');
    writeFileSync(config, ['current-context: tls', 'contexts:', '  - name: tls', `    redis: ${tls.url}`,
      `    tls_ca: ${certs.ca}`, `    prefix: ${P}`, ''].join('\n'), { mode: 0o600 });
    const args = ['queue', 'clear', 'a', '--state', 'completed', '--older-than', '30m', '--yes', '-o', 'json',
      '--config', config];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.deepEqual([...r.json.ids].sort(), ['c1', 'c2']);
    assert.deepEqual((await b.clean(30 * 60_000, 0, 'completed')).sort(), ['c1', 'c2']);
    const d = await assertRemovalTwins(io, P, { q: 'a' }, { q: 'b' }, { message: '--older-than over TLS' });
    assert.ok(d.q.K1 && !d.q.c1 && !d.q['de:dc1'], 'K1 stays; c1 and its dedup key gone');
  });
});
