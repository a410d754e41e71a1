// Shared harness of the integration and compat suites: a private redis-server per test file,
// fake endpoints (silent, refused), and a runner for the built opsctl binary with a clean env.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { requireCompat } from './compat-modules.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO = path.resolve(here, '..', '..');
export const OPSCTL_BIN = process.env.OPSCTL_BIN ?? path.join(REPO, 'build', 'opsctl');
export const HOST = '127.0.0.1';

// ioredis from the compat install (the pinned one, or OPSCTL_BULLMQ_DIR's), usable from integration tests too.
export const Redis = requireCompat('ioredis');

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn until it returns a truthy value; fails the test with `what` after timeoutMs.
export async function waitFor(fn, { timeoutMs = 10000, intervalMs = 50, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// A loopback port that was free a moment ago: listen on 0, read it, close.
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, HOST, () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

// A free port with nothing listening on it: connections are refused.
export const refusedPort = freePort;

// A server that accepts connections and never answers (a hung Redis): on a loopback TCP port, or
// on the Unix socket `path` when given (then url is unix://path).
export async function silentServer({ path: socketPath } = {}) {
  const sockets = new Set();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((resolve, reject) => {
    srv.on('error', reject);
    if (socketPath) srv.listen(socketPath, resolve);
    else srv.listen(0, HOST, resolve);
  });
  return {
    port: socketPath ? undefined : srv.address().port,
    url: socketPath ? `unix://${socketPath}` : `redis://${HOST}:${srv.address().port}`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => srv.close(r));
    },
  };
}

function execCli(args, input, timeout = 10000) {
  return new Promise((resolve, reject) => {
    const child = execFile('redis-cli', args, { encoding: 'utf8', maxBuffer: 64 << 20, timeout },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`redis-cli ${args.join(' ')}: ${stderr || err.message}`));
        else resolve(stdout.replace(/\n$/, ''));
      });
    if (input !== undefined) child.stdin.end(input);
  });
}

// redis-cli against a loopback port with string arguments; trimmed stdout. timeout in ms.
export const redisCliAt = (port, args, { timeout = 10000 } = {}) =>
  execCli(['-h', HOST, '-p', String(port), ...args], undefined, timeout);

// A redis-server process (also --sentinel) in dir: { proc, exited, stop() (SIGKILL, resolves on exit) }.
export function spawnRedisServer(dir, args) {
  const proc = spawn('redis-server', args, { stdio: 'ignore', cwd: dir });
  let exited = false;
  proc.on('exit', () => { exited = true; });
  return {
    proc,
    get exited() { return exited; },
    stop: () => new Promise((r) => { if (exited) r(); else { proc.once('exit', r); proc.kill('SIGKILL'); } }),
  };
}

// Starts redis-server on a private loopback port in a fresh temp dir.
// options: password (requirepass), maxmemoryPolicy, unixsocket (bool).
export async function startRedis({ password, maxmemoryPolicy, unixsocket = false } = {}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'opsctl-redis-'));
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no',
      '--dir', dir, '--daemonize', 'no', '--logfile', path.join(dir, 'redis.log')];
    if (password) args.push('--requirepass', password);
    if (maxmemoryPolicy) args.push('--maxmemory-policy', maxmemoryPolicy);
    const socket = unixsocket ? path.join(dir, 'redis.sock') : undefined;
    if (socket) args.push('--unixsocket', socket, '--unixsocketperm', '700');
    const proc = spawn('redis-server', args, { stdio: 'ignore' });
    let exited = false;
    proc.on('exit', () => { exited = true; });
    const auth = password ? ['-a', password, '--no-auth-warning'] : [];
    const base = ['-h', HOST, '-p', String(port), ...auth];
    const deadline = Date.now() + 10000;
    let ready = false;
    while (!exited && Date.now() < deadline) {
      try {
        if ((await execCli([...base, 'PING'])) === 'PONG') { ready = true; break; }
      } catch (e) { lastErr = e; }
      await sleep(50);
    }
    if (!ready) {
      proc.kill('SIGKILL');
      lastErr ??= new Error('redis-server did not answer PING');
      continue;
    }
    const userinfo = password ? `:${encodeURIComponent(password)}@` : '';
    const clients = [];
    return {
      host: HOST,
      port,
      dir,
      socket,
      password,
      url: `redis://${HOST}:${port}`,
      authUrl: `redis://${userinfo}${HOST}:${port}`,
      // redis-cli with string arguments; returns trimmed stdout (raw output mode when piped).
      cli: (...a) => execCli([...base, ...a]),
      // redis-cli -x: the last argument is read from stdin (binary safe).
      cliInput: (input, ...a) => execCli([...base, '-x', ...a], input),
      // An ioredis client, closed by stop().
      client() {
        const c = new Redis({ host: HOST, port, password, lazyConnect: false, maxRetriesPerRequest: 1 });
        clients.push(c);
        return c;
      },
      connection: { host: HOST, port, password },
      async stop() {
        for (const c of clients) c.disconnect();
        if (!exited) {
          const done = new Promise((r) => proc.once('exit', r));
          proc.kill('SIGTERM');
          const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
          await done;
          clearTimeout(t);
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw new Error(`could not start redis-server: ${lastErr?.message}`);
}

// One sandbox per process: HOME, XDG_CONFIG_HOME and XDG_STATE_HOME of every run point here, so a
// user's real config never leaks into a test. Removed when the process exits.
let sandboxRoot;
export function sandbox() {
  if (!sandboxRoot) {
    sandboxRoot = mkdtempSync(path.join(os.tmpdir(), 'opsctl-test-'));
    for (const d of ['home', 'config', 'state']) mkdirSync(path.join(sandboxRoot, d));
    process.on('exit', () => rmSync(sandboxRoot, { recursive: true, force: true }));
  }
  return {
    root: sandboxRoot,
    home: path.join(sandboxRoot, 'home'),
    config: path.join(sandboxRoot, 'config'),
    state: path.join(sandboxRoot, 'state'),
  };
}

// A fresh temp dir under the sandbox (removed with it).
export function tempDir(label = 'tmp') {
  return mkdtempSync(path.join(sandbox().root, `${label}-`));
}

export function cleanEnv(extra = {}) {
  const sb = sandbox();
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: sb.home,
    XDG_CONFIG_HOME: sb.config,
    XDG_STATE_HOME: sb.state,
    LANG: 'C.UTF-8',
    TERM: 'dumb',
  };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined || v === null) delete env[k];
    else env[k] = String(v);
  }
  return env;
}

// Runs the binary. Resolves {code, signal, stdout, stderr, ms, timedOut}; never rejects on a
// non-zero exit. A run that outlives timeoutMs is SIGKILLed (code null, timedOut true).
export function run(args, { env = {}, input, timeoutMs = 20000, bin = OPSCTL_BIN } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(bin, args.map(String), { env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    const err = [];
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => err.push(d));
    child.on('error', (e) => { clearTimeout(timer); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code,
        signal,
        timedOut,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        ms: Number(process.hrtime.bigint() - started) / 1e6,
      });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

export function describeRun(args, r) {
  return `opsctl ${args.join(' ')} -> code=${r.code} signal=${r.signal}\n--stdout--\n` +
    `${r.stdout.slice(0, 2000)}\n--stderr--\n${r.stderr.slice(0, 2000)}`;
}

// Asserts the process ended by itself (no signal, no timeout).
export function assertExited(args, r) {
  assert.ok(!r.timedOut && r.signal === null && r.code !== null, `did not exit normally: ${describeRun(args, r)}`);
}

// Runs and asserts stdout is exactly one JSON document; returns the run plus `json`.
export async function runJson(args, opts = {}) {
  const r = await run(args, opts);
  assertExited(args, r);
  let json;
  try {
    json = JSON.parse(r.stdout);
  } catch (e) {
    assert.fail(`stdout is not one JSON document (${e.message}): ${describeRun(args, r)}`);
  }
  return { ...r, json };
}

// Asserts the exit code, with the whole run in the failure message.
export function assertCode(args, r, code) {
  assert.equal(r.code, code, `expected exit ${code}: ${describeRun(args, r)}`);
}

// stderr split into non-empty lines.
export const lines = (text) => text.split('\n').filter((l) => l.trim() !== '');

// Writes a BullMQ 6.x queue's meta hash as `new Queue()` does.
export async function seedMeta(redis, queue, prefix = 'bull', version = 'bullmq:6.7.0') {
  const fields = ['opts.maxLenEvents', '10000'];
  if (version) fields.push('version', version);
  await redis.cli('HSET', `${prefix}:${queue}:meta`, ...fields);
}

// Writes a job hash: fields is an object of strings (undefined values skipped).
export async function seedJob(redis, queue, id, fields, prefix = 'bull') {
  const flat = [];
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) flat.push(k, String(v));
  await redis.cli('HSET', `${prefix}:${queue}:${id}`, ...flat);
}
