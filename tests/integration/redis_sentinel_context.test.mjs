// Redis behind Sentinel from context fields (sentinels, master_name, db, redis_user) instead of a
// redis+sentinel:// URL: the same master is found and the queue read; conflicting fields exit 64.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { assertCode, HOST, run, runJson, tempDir } from '../lib/harness.mjs';
import { MASTER_NAME, startSentinels } from '../lib/redis-sentinel.mjs';

let sn;
before(async () => {
  sn = await startSentinels();
  const port = await sn.masterPort();
  await sn.cli(port, '-n', '2', 'HSET', 'bull:cq:meta', 'opts.maxLenEvents', '10000', 'version', 'bullmq:6.7.0');
  await sn.cli(port, '-n', '2', 'LPUSH', 'bull:cq:wait', '1', '2');
});
after(async () => { await sn?.stop(); });

function config(lines) {
  const file = path.join(tempDir('sentinel-ctx'), 'config.yaml');
  writeFileSync(file, ['current-context: ha', 'contexts:', '  - name: ha', ...lines, ''].join('\n'), { mode: 0o600 });
  return file;
}

describe('a context with sentinels and master_name', () => {
  test('reads the queue on the master the sentinels name, in db 2', async () => {
    const file = config([`    sentinels: [${sn.ports.map((p) => `"${HOST}:${p}"`).join(', ')}]`, `    master_name: ${MASTER_NAME}`,
      '    db: 2']);
    const args = ['queue', 'inspect', 'cq', '--config', file, '-o', 'json'];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.counts.waiting, 2);
    assert.equal(r.stderr, '');
    const view = await runJson(['config', 'view', '--config', file, '-o', 'json']);
    assert.deepEqual(view.json.contexts[0].sentinel, {
      sentinels: sn.ports.map((p) => `${HOST}:${p}`), master_name: MASTER_NAME, db: 2, redis_user: null });
  });

  test('config get-contexts shows the redis+sentinel:// URL the fields make', async () => {
    const hosts = sn.ports.map((p) => `${HOST}:${p}`);
    const file = config([`    sentinels: [${hosts.map((h) => `"${h}"`).join(', ')}]`, `    master_name: ${MASTER_NAME}`,
      '    db: 2', '    redis_user: ops']);
    const want = `redis+sentinel://ops@${hosts.join(',')}/${MASTER_NAME}/2`;
    const json = await runJson(['config', 'get-contexts', '--config', file, '-o', 'json']);
    assertCode(['config', 'get-contexts'], json, 0);
    assert.equal(json.json.contexts[0].redis, want);
    const text = await run(['config', 'get-contexts', '--config', file]);
    assert.match(text.stdout.split('\n')[1], new RegExp(`^\\*\\s+ha\\s+${want.replace(/[.+/]/g, '\\$&')}\\s+no$`));
  });

  test('health checks the context\'s Sentinel master', async () => {
    const file = config([`    sentinels: ["${HOST}:${sn.ports[0]}"]`, `    master_name: ${MASTER_NAME}`]);
    const args = ['health', '--config', file, '-o', 'json'];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.checks[0].status, 'ok');
    assert.match(r.json.checks[0].target, /^master mymaster (at 127\.0\.0\.1:\d+ )?\(sentinels 127\.0\.0\.1:\d+\)$/);
  });
});

describe('conflicting fields: usage error, exit 64', () => {
  for (const [what, lines, message] of [
    ['redis and sentinels', [`    redis: redis://${HOST}:6379`, `    sentinels: ["${HOST}:26379"]`, `    master_name: ${MASTER_NAME}`],
      /context "ha" sets both redis and sentinels/],
    ['sentinels without master_name', [`    sentinels: ["${HOST}:26379"]`], /lists sentinels without master_name/],
  ]) {
    test(what, async () => {
      const file = config(lines);
      const args = ['queue', 'inspect', 'cq', '--config', file, '-o', 'json'];
      const r = await runJson(args);
      assertCode(args, r, 64);
      assert.equal(r.json.error.kind, 'usage');
      assert.match(r.json.error.message, message);
      assert.ok(r.json.error.message.startsWith(`${file}:3: `), r.json.error.message);
    });
  }
});
