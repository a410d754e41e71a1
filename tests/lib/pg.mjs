// PostgreSQL side of the test harness: a private PostgreSQL 15 cluster per test file (initdb + pg_ctl
// as the `postgres` user when running as root, on a free loopback port, with a small max_connections),
// an optional PgBouncer in front of it, and psql clients kept open through their stdin to hold
// connections, transactions and locks exactly as a leaking application would.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { freePort, HOST, sleep, waitFor } from './harness.mjs';

// The server programs (initdb, pg_ctl): where pg_config says, else the newest Debian cluster version
// (libpq-dev may come from a newer major than the installed server).
export const PG_BIN = (() => {
  const bindir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  if (existsSync(path.join(bindir, 'initdb'))) return bindir;
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  const found = versions.filter((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)).sort((a, b) => Number(b) - Number(a));
  if (found.length === 0) throw new Error('initdb not found: install postgresql (scripts/deps)');
  return `/usr/lib/postgresql/${found[0]}/bin`;
})();
export const APP_PASSWORD = 'App-Pw-4d3f9a';
export const SUPER_PASSWORD = 'Super-Pw-77c1e0';
export const ADMIN_PASSWORD = 'Bouncer-Pw-0b5e2c';
export const OPS_PASSWORD = 'Ops-Pw-51aa08';
export const DB = 'appdb';

const isRoot = process.getuid?.() === 0;
const pgUid = isRoot ? Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })) : undefined;
const pgGid = isRoot ? Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) : undefined;

// PostgreSQL's server programs refuse to run as root: as root they run as `postgres`.
function asPostgres(program, args) {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', program, ...args]] : [program, args];
}

function exec(program, args, { env, input, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(program, args, { encoding: 'utf8', env: { ...process.env, ...env }, timeout: timeoutMs,
      maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${program} ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin.end(input);
  });
}

const pgExec = (program, args, opts) => exec(...asPostgres(path.join(PG_BIN, program), args), opts);

// A psql client that stays connected: statements are written to its stdin as an application would
// send them, and it holds its session (and any open transaction) until close().
let markers = 0;

class Holder {
  constructor(proc, app) {
    this.proc = proc;
    this.app = app;
    this.exited = false;
    this.stderr = '';
    this.stdout = '';
    proc.stderr.on('data', (d) => { this.stderr += d; });
    proc.stdout.on('data', (d) => { this.stdout = (this.stdout + d).slice(-4096); });
    proc.on('exit', () => { this.exited = true; });
    proc.stdin.on('error', () => {});
  }

  send(sql) { this.proc.stdin.write(`${sql}\n`); }

  // Resolves once psql has run everything sent so far (it echoes a marker after it), without a
  // second connection to look: filling a server to its last slot must not race with the check.
  ready() {
    const marker = `opsctl-ready-${++markers}`;
    this.send(`\\echo ${marker}`);
    return waitFor(() => {
      if (this.stdout.includes(marker)) return true;
      if (this.exited) throw new Error(`the '${this.app}' psql client exited: ${this.stderr.trim()}`);
      return false;
    }, { timeoutMs: 15000, what: `'${this.app}' to run its statements` });
  }

  async close() {
    if (this.exited) return;
    const done = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGKILL');
    await done;
  }
}

export async function startPostgres({ maxConnections = 12, superuserReserved = 3, pgbouncer = false,
  poolSize = 2 } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'opsctl-pg-'));
  if (isRoot) chownSync(dir, pgUid, pgGid);
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, `${SUPER_PASSWORD}\n`);
  if (isRoot) chownSync(pwfile, pgUid, pgGid);
  await pgExec('initdb', ['-D', data, '-U', 'postgres', '--pwfile', pwfile, '-A', 'scram-sha-256',
    '--auth-local=trust', '-E', 'UTF8', '--locale=C', '-N']);
  const holders = [];
  let port;
  let started = false;
  let lastErr;
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    port = await freePort();
    const opts = [`-c port=${port}`, `-c listen_addresses=${HOST}`, `-c unix_socket_directories=${dir}`,
      `-c max_connections=${maxConnections}`, `-c superuser_reserved_connections=${superuserReserved}`,
      '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c shared_buffers=16MB',
      '-c max_wal_senders=0', '-c max_worker_processes=2', '-c autovacuum=off'].join(' ');
    try {
      await pgExec('pg_ctl', ['-D', data, '-l', path.join(dir, 'postgres.log'), '-w', '-t', '30', '-o', opts, 'start']);
      started = true;
    } catch (e) { lastErr = e; }
  }
  if (!started) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL: ${lastErr?.message}`);
  }

  // Superuser over the Unix socket (trust): setup and inspection, never through opsctl.
  const sql = (query, { db = DB } = {}) =>
    exec('psql', ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-h', dir, '-p', String(port), '-U', 'postgres',
      '-d', db, '-c', query]).then((s) => s.trim());

  await sql(`CREATE ROLE app LOGIN PASSWORD '${APP_PASSWORD}'`, { db: 'postgres' });
  await sql(`CREATE DATABASE ${DB} OWNER app`, { db: 'postgres' });
  // An on-call role: sees every session (pg_monitor), may signal none but its own.
  await sql(`CREATE ROLE ops LOGIN PASSWORD '${OPS_PASSWORD}' IN ROLE pg_monitor`, { db: 'postgres' });

  const pg = {
    dir,
    port,
    host: HOST,
    sql,
    // Conninfo URLs without passwords: PGPASSWORD carries them (as CONVENTIONS recommends).
    appUrl: `postgresql://app@${HOST}:${port}/${DB}`,
    superUrl: `postgresql://postgres@${HOST}:${port}/${DB}`,
    opsUrl: `postgresql://ops@${HOST}:${port}/${DB}`,
    appEnv: { PGPASSWORD: APP_PASSWORD },
    superEnv: { PGPASSWORD: SUPER_PASSWORD },
    opsEnv: { PGPASSWORD: OPS_PASSWORD },
    bouncer: null,
    // A libpq passfile with every password of this cluster (and of its PgBouncer, once started):
    // pass { PGPASSFILE: pg.passfile } to use it, as ~/.pgpass would be used.
    passfile: path.join(dir, 'pgpass'),

    // Opens a psql session as `user` (TCP, password auth) with application_name app, sends the
    // statements, and keeps it open. via: 'pg' or 'bouncer'.
    hold(app, statements = [], { user = 'app', via = 'pg' } = {}) {
      const p = via === 'bouncer' ? pg.bouncer.port : port;
      const password = { app: APP_PASSWORD, ops: OPS_PASSWORD, postgres: SUPER_PASSWORD }[user];
      const proc = spawn('psql', ['-X', '-q', '-h', HOST, '-p', String(p), '-U', user, '-d', DB], {
        env: { ...process.env, PGPASSWORD: password, PGAPPNAME: app, PGCONNECT_TIMEOUT: '10' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const h = new Holder(proc, app);
      holders.push(h);
      for (const s of statements) h.send(s);
      return h;
    },

    // Rows of pg_stat_activity for an application_name: [{pid, backend_start, state, wait}].
    async sessions(app) {
      const out = await sql(`SELECT pid, to_char(backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        coalesce(state, ''), coalesce(wait_event_type, '') FROM pg_stat_activity WHERE application_name = '${app}'
        ORDER BY pid`, { db: 'postgres' });
      return out === '' ? [] : out.split('\n').map((l) => {
        const [pid, backendStart, state, wait] = l.split('|');
        return { pid: Number(pid), backend_start: backendStart, state, wait };
      });
    },

    // Waits until `count` sessions of app are in a state starting with `state` (and, for 'Lock',
    // waiting on a lock); returns them.
    async waitSessions(app, state, count = 1, { wait } = {}) {
      return waitFor(async () => {
        const dead = holders.find((h) => h.app === app && h.exited);
        if (dead) throw new Error(`a '${app}' psql client exited: ${dead.stderr.trim()}`);
        const rows = (await pg.sessions(app)).filter((r) => r.state.startsWith(state) && (!wait || r.wait === wait));
        return rows.length >= count ? rows : null;
      }, { timeoutMs: 15000, what: `${count} '${app}' sessions in state '${state}'` });
    },

    async alive(pid) {
      return (await sql(`SELECT count(*) FROM pg_stat_activity WHERE pid = ${Number(pid)}`, { db: 'postgres' })) === '1';
    },

    // Closes every holder, ends what is left (PgBouncer's pooled server connections), and waits
    // until no client session remains: each test starts from an empty server.
    async releaseAll() {
      await Promise.all(holders.splice(0).map((h) => h.close()));
      await sql("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE backend_type = 'client backend' " +
        'AND pid <> pg_backend_pid()', { db: 'postgres' });
      await waitFor(async () => (await sql(
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
        { db: 'postgres' })) === '0', { what: 'every client session to end' });
      // A backend leaves pg_stat_activity a moment before it frees its connection slot: let it.
      await sleep(150);
    },

    async stop() {
      await Promise.all(holders.splice(0).map((h) => h.close()));
      if (pg.bouncer) await pg.bouncer.stop();
      try {
        await pgExec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch { /* already down */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  if (pgbouncer) pg.bouncer = await startBouncer(pg, poolSize);
  const entries = [`${HOST}:${port}:*:app:${APP_PASSWORD}`, `${HOST}:${port}:*:postgres:${SUPER_PASSWORD}`];
  if (pg.bouncer) {
    entries.push(`${HOST}:${pg.bouncer.port}:*:app:${APP_PASSWORD}`,
      `${HOST}:${pg.bouncer.port}:pgbouncer:pgbadmin:${ADMIN_PASSWORD}`);
  }
  writeFileSync(pg.passfile, `${entries.join('\n')}\n`, { mode: 0o600 });
  return pg;
}

async function startBouncer(pg, poolSize) {
  const userlist = path.join(pg.dir, 'userlist.txt');
  writeFileSync(userlist, `"app" "${APP_PASSWORD}"\n"pgbadmin" "${ADMIN_PASSWORD}"\n`);
  let lastErr;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const ini = path.join(pg.dir, 'pgbouncer.ini');
    writeFileSync(ini, [
      '[databases]',
      `${DB} = host=${HOST} port=${pg.port} dbname=${DB}`,
      '[pgbouncer]',
      `listen_addr = ${HOST}`,
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = scram-sha-256',
      `auth_file = ${userlist}`,
      'admin_users = pgbadmin',
      'pool_mode = session',
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 50',
      `logfile = ${path.join(pg.dir, 'pgbouncer.log')}`,
      'ignore_startup_parameters = extra_float_digits',
      '',
    ].join('\n'));
    if (isRoot) for (const f of [ini, userlist]) chownSync(f, pgUid, pgGid);
    // Spawned directly (uid/gid as root), so a signal reaches PgBouncer itself, not a wrapper.
    const proc = spawn('pgbouncer', [ini], { stdio: 'ignore', ...(isRoot ? { uid: pgUid, gid: pgGid } : {}) });
    let exited = false;
    proc.on('exit', () => { exited = true; });
    const console = `host=${HOST} port=${port} dbname=pgbouncer user=pgbadmin`;
    const deadline = Date.now() + 10000;
    while (!exited && Date.now() < deadline) {
      try {
        await exec('psql', ['-X', '-A', '-t', '-c', 'SHOW VERSION', console], { env: { PGPASSWORD: ADMIN_PASSWORD } });
        return {
          port,
          console,
          consoleEnv: { PGPASSWORD: ADMIN_PASSWORD },
          appUrl: `postgresql://app@${HOST}:${port}/${DB}`,
          // SHOW POOLS row for appdb/app, as psql prints it with column names.
          async pools() {
            const out = await exec('psql', ['-X', '-A', '-F', '\t', '-P', 'footer=off', '-c', 'SHOW POOLS', console],
              { env: { PGPASSWORD: ADMIN_PASSWORD } });
            const [head, ...rows] = out.trim().split('\n');
            const cols = head.split('\t');
            return rows.map((r) => Object.fromEntries(r.split('\t').map((v, i) => [cols[i], v])));
          },
          async stop() {
            if (exited) return;
            const done = new Promise((r) => proc.once('exit', r));
            proc.kill('SIGTERM');
            const t = setTimeout(() => proc.kill('SIGKILL'), 3000);
            await done;
            clearTimeout(t);
          },
        };
      } catch (e) { lastErr = e; }
      await sleep(100);
    }
    proc.kill('SIGKILL');
  }
  throw new Error(`could not start pgbouncer: ${lastErr?.message}`);
}
