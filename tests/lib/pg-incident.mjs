#!/usr/bin/env node
// Seeds the seeds' worst PostgreSQL incident against a given server: an application that leaks
// transactions (BEGIN, a query, then nothing) until the pool is nearly full, plus a few sessions
// that are merely idle. Each session is a real psql client kept open through its stdin. Prints one
// line per phase on stdout, "ready ..." once every session is in place, and holds them until it
// is killed (SIGTERM/SIGINT), closing them all.
//
//   node tests/lib/pg-incident.mjs --pg CONNINFO [--leak 6] [--idle 2] [--app checkout-api]
//
// The password comes from the environment (PGPASSWORD, PGPASSFILE), never from argv. Used by
// scripts/demo.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    pg: { type: 'string' },
    leak: { type: 'string', default: '6' },
    idle: { type: 'string', default: '0' },
    app: { type: 'string', default: 'checkout-api' },
    timeout: { type: 'string', default: '20' },
  },
});
if (!values.pg) {
  process.stderr.write('usage: pg-incident.mjs --pg CONNINFO [--leak N] [--idle N] [--app NAME]\n');
  process.exit(64);
}

const children = [];
let closing = false;

function session(statements) {
  return new Promise((resolve, reject) => {
    const proc = spawn('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', values.pg], {
      env: { ...process.env, PGAPPNAME: values.app, PGCONNECT_TIMEOUT: '10' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(proc);
    let err = '';
    proc.stderr.on('data', (d) => { err += d; });
    proc.stdin.on('error', () => {});
    proc.stdout.on('data', (d) => { if (String(d).includes('opsctl-seed-ready')) resolve(proc); });
    proc.on('exit', (code) => {
      if (!closing) reject(new Error(`psql exited (${code}): ${err.trim()}`));
    });
    // Results go to /dev/null; the marker tells that every statement before it has run.
    proc.stdin.write(`${statements.map((s) => `${s} \\g /dev/null`).join('\n')}\n\\echo opsctl-seed-ready\n`);
  });
}

function closeAll(code) {
  closing = true;
  for (const c of children) c.kill('SIGTERM');
  process.exit(code);
}
process.on('SIGTERM', () => closeAll(0));
process.on('SIGINT', () => closeAll(0));

const deadline = setTimeout(() => {
  process.stderr.write(`pg-incident: sessions not ready after ${values.timeout}s\n`);
  closeAll(1);
}, Number(values.timeout) * 1000);

try {
  const leak = Number(values.leak);
  const idle = Number(values.idle);
  // A request handler that opened a transaction, read a row, and lost its way before COMMIT.
  await Promise.all(Array.from({ length: leak }, (_, i) =>
    session(['BEGIN', `SELECT ${i + 1} AS order_id, now() AS reserved_at`])));
  process.stdout.write(`leaked ${leak} transactions (application_name ${values.app})\n`);
  await Promise.all(Array.from({ length: idle }, () => session(['SELECT 1'])));
  if (idle) process.stdout.write(`opened ${idle} idle sessions\n`);
  clearTimeout(deadline);
  process.stdout.write(`ready: ${leak + idle} sessions held; kill ${process.pid} to release them\n`);
} catch (e) {
  process.stderr.write(`pg-incident: ${e.message}\n`);
  closeAll(1);
}
