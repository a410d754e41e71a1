// The command line itself: help, version, usage errors (exit 64) and where global flags may go.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertCode, assertExited, lines, refusedPort, run, runJson, seedMeta } from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const redis = useRedis();
let deadUrl;

setup(async () => {
  deadUrl = `redis://127.0.0.1:${await refusedPort()}`;
  await seedMeta(redis, 'q');
});

// A usage error: exit 64, nothing on stdout, the first stderr line starts with "opsctl: ".
async function usageError(args) {
  const r = await run(args);
  assertCode(args, r, 64);
  assert.equal(r.stdout, '', 'a usage error writes nothing to stdout');
  assert.match(lines(r.stderr)[0] ?? '', /^opsctl: /, `stderr: ${r.stderr}`);
  return r;
}

describe('help and version', () => {
  test('opsctl --help exits 0 and lists the nouns', async () => {
    const r = await run(['--help']);
    assertCode(['--help'], r, 0);
    for (const noun of ['queue', 'job', 'config', 'version']) assert.match(r.stdout, new RegExp(`\\b${noun}\\b`));
  });

  test('opsctl queue inspect --help exits 0 and names its flags', async () => {
    const args = ['queue', 'inspect', '--help'];
    const r = await run(args);
    assertCode(args, r, 0);
    for (const flag of ['--state', '--limit', '--warn-wait', '--crit-wait']) assert.ok(r.stdout.includes(flag), flag);
  });

  test('opsctl version exits 0 and prints a version number', async () => {
    const r = await run(['version']);
    assertCode(['version'], r, 0);
    assert.match(r.stdout, /\d+\.\d+\.\d+/);
  });
});

describe('usage errors exit 64', () => {
  test('an unknown command suggests the closest one', async () => {
    const r = await usageError(['queue', 'inspct', 'q', '--redis', deadUrl]);
    assert.match(r.stderr, /did you mean/i);
    assert.match(r.stderr, /inspect/);
  });

  test('an unknown top-level noun suggests the closest one', async () => {
    const r = await usageError(['queu', 'list', '--redis', deadUrl]);
    assert.match(r.stderr, /did you mean/i);
    assert.match(r.stderr, /queue/);
  });

  test('an unknown flag', async () => {
    const r = await usageError(['queue', 'inspect', 'q', '--no-such-flag', '--redis', deadUrl]);
    assert.match(r.stderr, /no-such-flag/);
  });

  test('a missing argument (job show without an id)', async () => {
    await usageError(['job', 'show', 'q', '--redis', deadUrl]);
  });

  test('a bad duration for --timeout names the text', async () => {
    const r = await usageError(['queue', 'inspect', 'q', '--timeout', '5x', '--redis', deadUrl]);
    assert.match(r.stderr, /5x/);
  });

  test('an unknown output format', async () => {
    const r = await usageError(['queue', 'inspect', 'q', '-o', 'yaml', '--redis', deadUrl]);
    assert.match(r.stderr, /yaml/);
  });

  test('a bad --limit', async () => {
    await usageError(['queue', 'inspect', 'q', '--state', 'failed', '--limit', 'lots', '--redis', deadUrl]);
  });

  test('an unknown --state', async () => {
    await usageError(['queue', 'inspect', 'q', '--state', 'finished', '--redis', deadUrl]);
  });

  test('a --redis value that is not a Redis URL', async () => {
    const r = await usageError(['queue', 'list', '--redis', 'http://127.0.0.1:6379']);
    assert.match(r.stderr, /redis:\/\//);
  });

  test('usage errors come before any connection attempt', async () => {
    // The target is unreachable: a 64 (not a 2) proves flags were checked first.
    const r = await usageError(['job', 'show', '--redis', deadUrl]);
    assert.doesNotMatch(r.stderr, /connection refused/i);
  });
});

describe('global flags', () => {
  test('global flags work before the subcommand', async () => {
    const args = ['--redis', redis.url, '-o', 'json', '--timeout', '2s', 'queue', 'inspect', 'q'];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.queue, 'q');
  });

  test('global flags work after the subcommand', async () => {
    const args = ['queue', 'inspect', 'q', '--redis', redis.url, '-o', 'json', '--timeout', '2s'];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.queue, 'q');
  });

  test('--output is the long form of -o', async () => {
    const args = ['queue', 'list', '--output', 'json', '--redis', redis.url];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.prefix, 'bull');
  });

  test('durations in ms, s and m are accepted by --timeout', async () => {
    for (const d of ['1500ms', '3s', '1m']) {
      const args = ['queue', 'list', '-o', 'json', '--timeout', d, '--redis', redis.url];
      const r = await run(args);
      assertExited(args, r);
      assertCode(args, r, 0);
    }
  });
});
