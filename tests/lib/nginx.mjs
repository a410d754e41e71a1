// A blue-green setup for the rollback runbook: two node HTTP backends (each answers its colour, or
// 503 when made unhealthy) behind a real nginx run as the current user (-p <dir> -c <conf>, daemon
// off) on a free loopback port, and a switch script that rewrites nginx's upstream and reloads it.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

import { freePort, HOST, sleep, tempDir, waitFor } from './harness.mjs';

async function backend(colour) {
  const b = { colour, healthy: true, hits: 0 };
  const srv = http.createServer((req, res) => {
    b.hits++;
    res.writeHead(b.healthy ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(b.healthy ? colour : `${colour} is down`);
  });
  await new Promise((resolve) => srv.listen(0, HOST, resolve));
  b.port = srv.address().port;
  b.url = `http://${HOST}:${b.port}/healthz`;
  b.close = () => new Promise((r) => { srv.closeAllConnections(); srv.close(r); });
  return b;
}

// The switch script the runbook's switch_command runs: node switch.mjs <colour> [extra args...].
// It logs its arguments (one JSON line per run), maps the colour to a port through ports.json,
// rewrites upstream.conf and reloads nginx with the same -p/-c.
const SWITCH = `
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
const dir = ${'${DIR}'};
const [colour, ...rest] = process.argv.slice(2);
appendFileSync(dir + '/switch.log', JSON.stringify([colour, ...rest]) + '\\n');
const port = JSON.parse(readFileSync(dir + '/ports.json', 'utf8'))[colour];
if (!port) { console.error('no such colour: ' + colour); process.exit(3); }
writeFileSync(dir + '/upstream.conf', 'upstream live { server 127.0.0.1:' + port + '; }\\n');
execFileSync('nginx', ['-p', dir, '-c', dir + '/nginx.conf', '-s', 'reload'], { stdio: 'inherit' });
console.log('switched to ' + colour);
`;

// The pids of nginx worker processes: the children of the master.
function workers(masterPid) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === masterPid) out.push(Number(d));
    } catch { /* gone meanwhile */ }
  }
  return out;
}

export async function startBlueGreen() {
  const dir = tempDir('nginx');
  const blue = await backend('blue');
  const green = await backend('green');
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  writeFileSync(conf, [
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log;`,
    'events { worker_connections 64; }',
    'http {',
    '  access_log off;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t}_temp;`),
    `  include ${dir}/upstream.conf;`,
    `  server { listen ${HOST}:${port}; location / { proxy_pass http://live; proxy_connect_timeout 2s; } }`,
    '}',
    '',
  ].join('\n'));
  const env = {
    dir,
    blue,
    green,
    liveUrl: `http://${HOST}:${port}/healthz`,
    stateFile: path.join(dir, 'live-colour'),
    switchScript: path.join(dir, 'switch.mjs'),
    ports(map) { writeFileSync(path.join(dir, 'ports.json'), JSON.stringify(map)); },
    upstream: () => readFileSync(path.join(dir, 'upstream.conf'), 'utf8'),
    state: () => readFileSync(env.stateFile, 'utf8'),
    switches() {
      try {
        return readFileSync(path.join(dir, 'switch.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
      } catch { return []; }
    },
    // What the live URL answers now: {status, body}; status 0 when nothing answers. A fresh connection
    // each time (no keep-alive agent): after `nginx -s reload` a kept-alive connection can still be
    // served by an old worker with the old upstream, which is not what a new client sees.
    // After a reload the old worker keeps accepting connections for a moment with the old upstream;
    // what a new client sees is settled once only one worker is left.
    async settled(notIn = []) {
      if (!env.proc) return;
      await waitFor(() => {
        const w = workers(env.proc.pid);
        return w.length === 1 && !notIn.includes(w[0]);
      }, { intervalMs: 10, what: 'nginx to finish its reload' });
    },
    async live() {
      await env.settled();
      return new Promise((resolve) => {
        const req = http.get(env.liveUrl, { agent: false, timeout: 3000 }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d) => { body += d; });
          res.on('end', () => resolve({ status: res.statusCode, body }));
          res.on('error', () => resolve({ status: 0, body: '' }));
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', () => resolve({ status: 0, body: '' }));
      });
    },
    // Blue live and healthy, green healthy, the state file says blue, no switch logged.
    async reset() {
      blue.healthy = true;
      green.healthy = true;
      env.ports({ blue: blue.port, green: green.port });
      writeFileSync(env.stateFile, 'blue\n');
      writeFileSync(path.join(dir, 'switch.log'), '');
      writeFileSync(path.join(dir, 'upstream.conf'), `upstream live { server ${HOST}:${blue.port}; }\n`);
      if (env.proc) await env.reload();
      await waitFor(async () => (await env.live()).body === 'blue', { what: 'nginx to serve blue' });
    },
    async reload() {
      const before = workers(env.proc.pid);
      await new Promise((resolve, reject) => {
        const p = spawn('nginx', ['-p', dir, '-c', conf, '-s', 'reload'], { stdio: 'ignore' });
        p.on('exit', (c) => (c === 0 ? resolve() : reject(new Error(`nginx -s reload exited ${c}`))));
      });
      await env.settled(before);
    },
    async stop() {
      if (env.proc && env.proc.exitCode === null) {
        const done = new Promise((r) => env.proc.once('exit', r));
        env.proc.kill('SIGQUIT');
        const t = setTimeout(() => env.proc.kill('SIGKILL'), 3000);
        await done;
        clearTimeout(t);
      }
      await blue.close();
      await green.close();
    },
  };
  writeFileSync(env.switchScript, SWITCH.replace('${DIR}', JSON.stringify(dir)));
  env.ports({ blue: blue.port, green: green.port });
  writeFileSync(path.join(dir, 'upstream.conf'), `upstream live { server ${HOST}:${blue.port}; }\n`);
  env.proc = spawn('nginx', ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  env.proc.stderr.on('data', (d) => { stderr += d; });
  await waitFor(async () => {
    if (env.proc.exitCode !== null) throw new Error(`nginx exited: ${stderr}`);
    return (await env.live()).status === 200;
  }, { what: 'nginx to start' });
  await env.reset();
  await sleep(10);
  return env;
}
