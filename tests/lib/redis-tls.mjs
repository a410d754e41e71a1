// TLS fixtures: a throwaway CA and certificates made with the openssl command line (EC P-256, quick
// to make), and redis-server listening on a TLS-only loopback port with one of them.
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort, HOST, Redis, sleep, tempDir } from './harness.mjs';

const exec = promisify(execFile);

async function openssl(args, { cwd, faketime } = {}) {
  const [cmd, argv] = faketime ? ['faketime', [faketime, 'openssl', ...args]] : ['openssl', args];
  await exec(cmd, argv, { cwd });
}

// A key and a certificate signed by the CA in dir. san: "DNS:localhost,IP:127.0.0.1"; usage:
// serverAuth or clientAuth; faketime: sign it as if then (with days 1: an expired certificate).
async function issue(dir, name, { cn, san, usage = 'serverAuth', days = 30, faketime } = {}) {
  const ext = path.join(dir, `${name}.ext`);
  writeFileSync(ext, [
    'basicConstraints=CA:FALSE',
    'keyUsage=digitalSignature,keyEncipherment',
    `extendedKeyUsage=${usage}`,
    ...(san ? [`subjectAltName=${san}`] : []),
    '',
  ].join('\n'));
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`], { cwd: dir });
  await openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
    '-days', String(days), '-sha256', '-extfile', ext, '-out', `${name}.pem`], { cwd: dir, faketime });
  return { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
}

// { dir, ca, server, wrongName, expired, client, otherCa }: each {cert, key} (ca and otherCa: paths).
export async function makeCerts() {
  const dir = tempDir('tls');
  const mkCa = (name, cn) => openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
    '-nodes', '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '30', '-subj', `/CN=${cn}`], { cwd: dir });
  await mkCa('ca', 'opsctl test CA');
  await mkCa('other-ca', 'some other CA');
  return {
    dir,
    ca: path.join(dir, 'ca.pem'),
    otherCa: path.join(dir, 'other-ca.pem'),
    server: await issue(dir, 'server', { cn: 'localhost', san: 'DNS:localhost,IP:127.0.0.1' }),
    wrongName: await issue(dir, 'wrong-name', { cn: 'cache.other.example', san: 'DNS:cache.other.example' }),
    expired: await issue(dir, 'expired', { cn: 'localhost', san: 'DNS:localhost,IP:127.0.0.1', days: 1, faketime: '-3 days' }),
    client: await issue(dir, 'client', { cn: 'opsctl-client', usage: 'clientAuth' }),
  };
}

// redis-server with only a TLS port. certs: makeCerts(); cert: the server's {cert, key};
// authClients: require a client certificate signed by the CA.
// The handle: port, url (rediss://), cli(...args), stop(), and, for BullMQ and dumps, connection
// (ioredis options with `tls: {ca, servername: 'localhost'}`, plus the client certificate when
// authClients) and client() (an ioredis client over TLS, closed by stop()).
export async function startTlsRedis(certs, { cert = certs.server, authClients = false } = {}) {
  const dir = tempDir('redis-tls');
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const proc = spawn('redis-server', ['--port', '0', '--tls-port', String(port), '--bind', HOST,
      '--tls-cert-file', cert.cert, '--tls-key-file', cert.key, '--tls-ca-cert-file', certs.ca,
      '--tls-auth-clients', authClients ? 'yes' : 'no', '--save', '', '--appendonly', 'no', '--dir', dir,
      '--daemonize', 'no', '--logfile', path.join(dir, 'redis.log')], { stdio: 'ignore' });
    let exited = false;
    proc.on('exit', () => { exited = true; });
    // redis-cli over TLS with the server's CA and, for authClients, the client certificate; it
    // skips the name check (the wrong-name and expired servers must still be driven).
    const base = ['--tls', '--insecure', '--cacert', certs.ca, '--cert', certs.client.cert, '--key', certs.client.key,
      '-h', HOST, '-p', String(port)];
    const cli = async (...a) => (await exec('redis-cli', [...base, ...a], { encoding: 'utf8', timeout: 10000 })).stdout.replace(/\n$/, '');
    const deadline = Date.now() + 10000;
    let ready = false;
    while (!exited && Date.now() < deadline) {
      try {
        if ((await cli('PING')) === 'PONG') { ready = true; break; }
      } catch { /* not up yet */ }
      await sleep(50);
    }
    if (!ready) {
      proc.kill('SIGKILL');
      continue;
    }
    const tls = { ca: readFileSync(certs.ca), servername: 'localhost',
      ...(authClients ? { cert: readFileSync(certs.client.cert), key: readFileSync(certs.client.key) } : {}) };
    const connection = { host: HOST, port, tls };
    const clients = [];
    return {
      port,
      url: `rediss://${HOST}:${port}`,
      cli,
      connection,
      client() {
        const c = new Redis({ ...connection, maxRetriesPerRequest: 1 });
        clients.push(c);
        return c;
      },
      stop: () => new Promise((r) => {
        for (const c of clients) c.disconnect();
        if (exited) r(); else { proc.once('exit', r); proc.kill('SIGKILL'); }
      }),
    };
  }
  throw new Error('redis-server with TLS did not start (is it built with TLS?)');
}
