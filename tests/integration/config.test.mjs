// The config file: contexts, use-context, redaction in `config view`, errors (exit 78), precedence.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { assertCode, refusedPort, run, runJson, seedMeta, tempDir } from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const REDIS_SECRET = 'CtxUrlS3cret-pw';
const PG_SECRET = 'PgS3cret-pw';

const plain = useRedis();
const authed = useRedis({ password: REDIS_SECRET });
let deadUrl;
let dir;         // holds the config files of this suite
let configPath;  // the good config, never modified
let passFile;

function goodConfig() {
  return [
    'current-context: a',
    'contexts:',
    '  - name: a',
    `    redis: redis://:${REDIS_SECRET}@127.0.0.1:${authed.port}`,
    '    prefix: bull',
    '  - name: b',
    `    redis: redis://127.0.0.1:${plain.port}`,
    `    pg: "host=db1 dbname=app user=ops password=${PG_SECRET}"`,
    '    prefix: ctxp',
    '  - name: c',
    `    redis: redis://127.0.0.1:${authed.port}`,
    `    redis_password_file: ${passFile}`,
    '  - name: ro',
    `    redis: redis://127.0.0.1:${plain.port}`,
    '    read_only: true',
    '',
  ].join('\n');
}

// A config file named config.yaml in its own directory.
function writeConfig(text) {
  const d = tempDir('cfg');
  const p = path.join(d, 'config.yaml');
  writeFileSync(p, text);
  return p;
}

setup(async () => {
  deadUrl = `redis://127.0.0.1:${await refusedPort()}`;
  dir = tempDir('config-suite');
  passFile = path.join(dir, 'redis.pass');
  writeFileSync(passFile, `${REDIS_SECRET}\n`);
  configPath = writeConfig(goodConfig());
  await seedMeta(plain, 'ctxq', 'ctxp');
  await seedMeta(plain, 'plainq', 'bull');
  await seedMeta(authed, 'q', 'bull');
});

const noSecrets = (text) => {
  assert.ok(!text.includes(REDIS_SECRET), `redis password leaked: ${text}`);
  assert.ok(!text.includes(PG_SECRET), `pg password leaked: ${text}`);
};

describe('contexts', () => {
  test('get-contexts -o json lists every context and marks the current one', async () => {
    const args = ['config', 'get-contexts', '-o', 'json', '--config', configPath];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.current_context, 'a');
    assert.deepEqual(r.json.contexts.map((c) => c.name), ['a', 'b', 'c', 'ro']);
    assert.deepEqual(r.json.contexts.map((c) => c.current), [true, false, false, false]);
    const b = r.json.contexts[1];
    assert.equal(b.prefix, 'ctxp');
    assert.equal(b.redis, `redis://127.0.0.1:${plain.port}`);
    assert.equal(r.json.contexts[3].read_only, true);
    assert.equal(b.read_only, false);
    noSecrets(r.stdout + r.stderr);
  });

  test('use-context switches the current context and keeps the other settings', async () => {
    const p = writeConfig(goodConfig());
    const sw = ['config', 'use-context', 'b', '--config', p];
    const r1 = await run(sw);
    assertCode(sw, r1, 0);
    const args = ['config', 'get-contexts', '-o', 'json', '--config', p];
    const r2 = await runJson(args);
    assert.equal(r2.json.current_context, 'b');
    assert.deepEqual(r2.json.contexts.map((c) => c.current), [false, true, false, false]);
    const text = readFileSync(p, 'utf8');
    assert.ok(text.includes(`password=${PG_SECRET}`), 'pg setting lost by use-context');
    assert.ok(text.includes(passFile), 'redis_password_file lost by use-context');
    assert.deepEqual(tempListing(path.dirname(p)), ['config.yaml'], 'temp file left behind');
  });

  test('use-context with an unknown name fails and changes nothing', async () => {
    const p = writeConfig(goodConfig());
    const before = readFileSync(p, 'utf8');
    const args = ['config', 'use-context', 'nosuch', '--config', p];
    const r = await run(args);
    assert.ok(r.code === 78 || r.code === 64, `exit ${r.code}: ${r.stderr}`);
    assert.match(r.stderr, /nosuch/);
    assert.equal(readFileSync(p, 'utf8'), before);
  });

  test('config view -o json never shows a password', async () => {
    const args = ['config', 'view', '-o', 'json', '--config', configPath];
    const r = await runJson(args);
    assertCode(args, r, 0);
    noSecrets(r.stdout + r.stderr);
    assert.ok(r.stdout.includes('password=***'), 'pg password should read password=***');
    assert.ok(r.stdout.includes(passFile), 'password file shown by path');
  });

  test('config view (text) never shows a password', async () => {
    const args = ['config', 'view', '--config', configPath];
    const r = await run(args);
    assertCode(args, r, 0);
    noSecrets(r.stdout + r.stderr);
  });
});

function tempListing(d) {
  return readdirSync(d).sort();
}

describe('configuration errors exit 78', () => {
  const malformed = [
    'current-context: a',
    'contexts:',
    '  - name: a',
    '    redis: a: b',
    '  - name: b',
    '',
  ].join('\n');

  test('malformed YAML names file and line', async () => {
    const p = writeConfig(malformed);
    const args = ['queue', 'list', '--config', p];
    const r = await run(args);
    assertCode(args, r, 78);
    assert.ok(r.stderr.includes('config.yaml:4'), r.stderr);
    assert.match(r.stderr, /^opsctl: /);
    assert.equal(r.stdout, '');
  });

  test('malformed YAML at the default path is reported too', async () => {
    const xdg = tempDir('xdg');
    mkdirSync(path.join(xdg, 'opsctl'));
    writeFileSync(path.join(xdg, 'opsctl', 'config.yaml'), malformed);
    const args = ['config', 'get-contexts'];
    const r = await run(args, { env: { XDG_CONFIG_HOME: xdg } });
    assertCode(args, r, 78);
    assert.ok(r.stderr.includes('config.yaml:4'), r.stderr);
  });

  test('--context naming no context', async () => {
    const args = ['queue', 'list', '--context', 'nosuch', '--config', configPath];
    const r = await run(args);
    assertCode(args, r, 78);
    assert.match(r.stderr, /nosuch/);
  });

  test('a missing redis_password_file names the file', async () => {
    const missing = path.join(dir, 'no-such.pass');
    const p = writeConfig(goodConfig().replace(passFile, missing));
    const args = ['queue', 'inspect', 'q', '--context', 'c', '--config', p];
    const r = await run(args);
    assertCode(args, r, 78);
    assert.ok(r.stderr.includes(missing), r.stderr);
  });
});

describe('precedence: flag > environment > context > default', () => {
  test('the current context is used by default (password in its URL)', async () => {
    const args = ['queue', 'inspect', 'q', '-o', 'json', '--config', configPath];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.queue, 'q');
    noSecrets(r.stdout + r.stderr);
  });

  test('--context selects redis and prefix', async () => {
    const args = ['queue', 'list', '-o', 'json', '--context', 'b', '--config', configPath];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.prefix, 'ctxp');
    assert.deepEqual(r.json.queues.map((q) => q.queue), ['ctxq']);
  });

  test('REDIS_URL beats the context', async () => {
    const args = ['queue', 'list', '-o', 'json', '--context', 'b', '--config', configPath];
    const r = await run(args, { env: { REDIS_URL: deadUrl } });
    assertCode(args, r, 2);
    assert.match(r.stderr, /connection refused/i);
  });

  test('--redis beats REDIS_URL and the context', async () => {
    const args = ['queue', 'list', '-o', 'json', '--context', 'b', '--config', configPath, '--redis', plain.url];
    const r = await runJson(args, { env: { REDIS_URL: deadUrl } });
    assertCode(args, r, 0);
    assert.equal(r.json.prefix, 'ctxp');
  });

  test('OPSCTL_PREFIX beats the context prefix, --prefix beats both', async () => {
    const args = ['queue', 'list', '-o', 'json', '--context', 'b', '--config', configPath];
    const r1 = await runJson(args, { env: { OPSCTL_PREFIX: 'bull' } });
    assertCode(args, r1, 0);
    assert.equal(r1.json.prefix, 'bull');
    assert.deepEqual(r1.json.queues.map((q) => q.queue), ['plainq']);
    const r2 = await runJson([...args, '--prefix', 'ctxp'], { env: { OPSCTL_PREFIX: 'bull' } });
    assert.equal(r2.json.prefix, 'ctxp');
  });

  test('a context with redis_password_file authenticates', async () => {
    const args = ['queue', 'inspect', 'q', '-o', 'json', '--context', 'c', '--config', configPath];
    const r = await runJson(args);
    assertCode(args, r, 0);
    assert.equal(r.json.queue, 'q');
    noSecrets(r.stdout + r.stderr);
  });

  test('OPSCTL_CONFIG selects the file', async () => {
    const args = ['config', 'get-contexts', '-o', 'json'];
    const r = await runJson(args, { env: { OPSCTL_CONFIG: configPath } });
    assertCode(args, r, 0);
    assert.deepEqual(r.json.contexts.map((c) => c.name), ['a', 'b', 'c', 'ro']);
  });

  test('--config beats OPSCTL_CONFIG', async () => {
    const other = writeConfig(goodConfig().replace('current-context: a', 'current-context: b'));
    const args = ['config', 'get-contexts', '-o', 'json', '--config', other];
    const r = await runJson(args, { env: { OPSCTL_CONFIG: configPath } });
    assertCode(args, r, 0);
    assert.equal(r.json.current_context, 'b');
  });

  test('the default path is $XDG_CONFIG_HOME/opsctl/config.yaml', async () => {
    const xdg = tempDir('xdg');
    mkdirSync(path.join(xdg, 'opsctl'));
    writeFileSync(path.join(xdg, 'opsctl', 'config.yaml'), goodConfig());
    const args = ['config', 'get-contexts', '-o', 'json'];
    const r = await runJson(args, { env: { XDG_CONFIG_HOME: xdg } });
    assertCode(args, r, 0);
    assert.equal(r.json.current_context, 'a');
  });

  test('no config file at all is an empty configuration', async () => {
    const args = ['config', 'get-contexts', '-o', 'json'];
    const r = await runJson(args, { env: { XDG_CONFIG_HOME: tempDir('empty-xdg') } });
    assertCode(args, r, 0);
    assert.deepEqual(r.json.contexts, []);
  });
});
