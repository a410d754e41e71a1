// Reaching Redis: refused, hung, authentication, URL forms and flag/env precedence.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';

import { assertCode, lines, refusedPort, run, runJson, seedMeta, silentServer } from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const PASSWORD = 'S3cr3t-Hunter2-pw';
const WRONG = 'Wr0ng-Guess-pw';

const plain = useRedis();   // no password
const authed = useRedis({ password: PASSWORD, unixsocket: true });  // requirepass PASSWORD, unix socket too
let silent;  // accepts, never answers
let deadPort;

setup(async () => {
  [silent, deadPort] = await Promise.all([silentServer(), refusedPort()]);
  await seedMeta(plain, 'q');
  await seedMeta(authed, 'q');
  await plain.cli('LPUSH', 'bull:q:wait', '1');
  await plain.cli('HSET', 'bull:q:1', 'name', 'n', 'data', '{}', 'opts', '{}', 'timestamp', String(Date.now()));
});

after(async () => {
  await silent?.close();
});

const inspect = (...extra) => ['queue', 'inspect', 'q', ...extra];

// The one-line error of CONVENTIONS.md.
function oneErrorLine(r) {
  const l = lines(r.stderr);
  assert.equal(l.length, 1, `exactly one stderr line expected, got: ${r.stderr}`);
  assert.match(l[0], /^opsctl: /);
  return l[0];
}

describe('unreachable targets exit 2', () => {
  test('connection refused names host:port', async () => {
    const args = inspect('--redis', `redis://127.0.0.1:${deadPort}`);
    const r = await run(args);
    assertCode(args, r, 2);
    const line = oneErrorLine(r);
    assert.match(line, /connection refused/i);
    assert.ok(line.includes(`127.0.0.1:${deadPort}`), line);
    assert.equal(r.stdout, '');
  });

  test('a silent server times out within --timeout', async () => {
    const args = inspect('--redis', silent.url, '--timeout', '1s');
    const r = await run(args, { timeoutMs: 10000 });
    assertCode(args, r, 2);
    assert.ok(r.ms < 3000, `took ${r.ms} ms with --timeout 1s`);
    const line = oneErrorLine(r);
    assert.match(line, /timed out/i);
    assert.ok(line.includes(`127.0.0.1:${silent.port}`), line);
  });

  test('the default --timeout is 5s', async () => {
    const args = inspect('--redis', silent.url);
    const r = await run(args, { timeoutMs: 15000 });
    assertCode(args, r, 2);
    assert.ok(r.ms >= 4000 && r.ms < 8000, `took ${r.ms} ms with the default timeout`);
    assert.match(oneErrorLine(r), /timed out/i);
  });

  test('-o nagios still prints one CRITICAL line on stdout (Nagios plugin guidelines)', async () => {
    const args = inspect('--redis', `redis://127.0.0.1:${deadPort}`, '-o', 'nagios');
    const r = await run(args);
    assertCode(args, r, 2);
    assert.equal(lines(r.stdout).length, 1, `stdout: ${JSON.stringify(r.stdout)}`);
    assert.match(r.stdout, /^OPSCTL QUEUE CRITICAL - .*connection refused/i);
  });

  test('a silent server with -o json still writes no partial JSON', async () => {
    const args = inspect('--redis', silent.url, '--timeout', '500ms', '-o', 'json');
    const r = await run(args, { timeoutMs: 10000 });
    assertCode(args, r, 2);
    assert.ok(r.ms < 2500, `took ${r.ms} ms with --timeout 500ms`);
    if (r.stdout !== '') JSON.parse(r.stdout); // either nothing or one whole document
  });
});

describe('authentication', () => {
  test('no password on a requirepass server: exit 2, says auth is needed', async () => {
    const args = inspect('--redis', authed.url);
    const r = await run(args);
    assertCode(args, r, 2);
    assert.match(oneErrorLine(r), /password|auth/i);
  });

  test('a wrong REDIS_PASSWORD: exit 2, the password never printed', async () => {
    const args = inspect('--redis', authed.url, '-o', 'json');
    const r = await run(args, { env: { REDIS_PASSWORD: WRONG } });
    assertCode(args, r, 2);
    assert.match(oneErrorLine(r), /wrong password|WRONGPASS|invalid/i);
    assert.ok(!r.stderr.includes(WRONG) && !r.stdout.includes(WRONG), 'password leaked');
  });

  test('the right REDIS_PASSWORD works', async () => {
    const args = inspect('--redis', authed.url, '-o', 'json');
    const r = await runJson(args, { env: { REDIS_PASSWORD: PASSWORD } });
    assertCode(args, r, 0);
    assert.equal(r.json.queue, 'q');
    assert.equal(r.stderr, '');
  });

  test('a password in the URL works, with one warning that never shows it', async () => {
    const args = inspect('--redis', authed.authUrl, '-o', 'json');
    const r = await runJson(args);
    assertCode(args, r, 0);
    const l = lines(r.stderr);
    assert.equal(l.length, 1, `one warning line expected: ${r.stderr}`);
    assert.match(l[0], /password/i);
    assert.ok(!r.stderr.includes(PASSWORD) && !r.stdout.includes(PASSWORD), 'password leaked');
  });

  test('a password in REDIS_URL (env) works too', async () => {
    const args = inspect('-o', 'json');
    const r = await runJson(args, { env: { REDIS_URL: authed.authUrl } });
    assertCode(args, r, 0);
    assert.ok(!r.stderr.includes(PASSWORD) && !r.stdout.includes(PASSWORD), 'password leaked');
  });

  test('a wrong password inside the URL is redacted from the error', async () => {
    const args = inspect('--redis', `redis://:${WRONG}@127.0.0.1:${authed.port}`);
    const r = await run(args);
    assertCode(args, r, 2);
    assert.ok(!r.stderr.includes(WRONG) && !r.stdout.includes(WRONG), `password leaked: ${r.stderr}`);
    assert.match(r.stderr, /wrong password|WRONGPASS|invalid/i);
  });

  test('an ACL user: user:password in the URL, or user in the URL and REDIS_PASSWORD', async () => {
    await plain.cli('ACL', 'SETUSER', 'ops', 'on', `>${PASSWORD}`, '~*', '&*', '+@all');
    const withPw = inspect('--redis', `redis://ops:${PASSWORD}@127.0.0.1:${plain.port}`, '-o', 'json');
    const r1 = await runJson(withPw);
    assertCode(withPw, r1, 0);
    assert.ok(!r1.stderr.includes(PASSWORD), 'password leaked in the warning');
    const userOnly = inspect('--redis', `redis://ops@127.0.0.1:${plain.port}`, '-o', 'json');
    const r2 = await runJson(userOnly, { env: { REDIS_PASSWORD: PASSWORD } });
    assertCode(userOnly, r2, 0);
    const r3 = await run(userOnly, { env: { REDIS_PASSWORD: WRONG } });
    assertCode(userOnly, r3, 2);
    assert.match(r3.stderr, /wrong password|WRONGPASS|invalid/i);
    assert.ok(!r3.stderr.includes(WRONG), 'password leaked');
  });

  test('the /db part of the URL selects the database', async () => {
    await plain.cli('-n', '3', 'HSET', 'bull:indb3:meta', 'opts.maxLenEvents', '10000', 'version', 'bullmq:6.7.0');
    const args = ['queue', 'list', '-o', 'json', '--redis', `${plain.url}/3`];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.deepEqual(r.json.queues.map((q) => q.queue), ['indb3']);
    const r0 = await runJson(['queue', 'list', '-o', 'json', '--redis', plain.url]);
    assert.ok(!r0.json.queues.some((q) => q.queue === 'indb3'), 'db 0 must not see db 3');
  });

  test('a unix socket URL works', async () => {
    const args = inspect('--redis', `unix://${authed.socket}`, '-o', 'json');
    const r = await runJson(args, { env: { REDIS_PASSWORD: PASSWORD } });
    assertCode(args, r, 0);
    assert.equal(r.json.queue, 'q');
  });
});

describe('precedence', () => {
  test('REDIS_URL alone is used', async () => {
    const args = inspect('-o', 'json');
    const r = await runJson(args, { env: { REDIS_URL: plain.url } });
    assertCode(args, r, 0);
    assert.equal(r.json.counts.waiting, 1);
  });

  test('--redis beats REDIS_URL', async () => {
    const args = inspect('--redis', plain.url, '-o', 'json');
    const r = await runJson(args, { env: { REDIS_URL: `redis://127.0.0.1:${deadPort}` } });
    assertCode(args, r, 0);
    assert.equal(r.json.counts.waiting, 1);
  });

  test('REDIS_URL pointing nowhere is really used when no flag is given', async () => {
    const args = inspect();
    const r = await run(args, { env: { REDIS_URL: `redis://127.0.0.1:${deadPort}` } });
    assertCode(args, r, 2);
    assert.ok(r.stderr.includes(`127.0.0.1:${deadPort}`), r.stderr);
  });

  test('--prefix beats OPSCTL_PREFIX', async () => {
    await seedMeta(plain, 'pq', 'other');
    const args = ['queue', 'list', '-o', 'json', '--redis', plain.url, '--prefix', 'other'];
    const r = await runJson(args, { env: { OPSCTL_PREFIX: 'bull' } });
    assertCode(args, r, 0);
    assert.equal(r.json.prefix, 'other');
    assert.deepEqual(r.json.queues.map((q) => q.queue), ['pq']);
  });

  test('OPSCTL_PREFIX is used without a flag', async () => {
    const args = ['queue', 'list', '-o', 'json', '--redis', plain.url];
    const r = await runJson(args, { env: { OPSCTL_PREFIX: 'other' } });
    assertCode(args, r, 0);
    assert.equal(r.json.prefix, 'other');
    assert.deepEqual(r.json.queues.map((q) => q.queue), ['pq']);
  });
});
