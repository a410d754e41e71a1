// A Sentinel setup on loopback ports: one master, one replica, three sentinels (redis-server
// --sentinel) monitoring them as "mymaster", each in a fresh temp dir.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { freePort, HOST, redisCliAt, spawnRedisServer, tempDir, waitFor } from './harness.mjs';

export const MASTER_NAME = 'mymaster';

const cli = (port, ...a) => redisCliAt(port, a);

const server = spawnRedisServer;

async function startData(dir, port, replicaOf) {
  const args = ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir,
    '--daemonize', 'no', '--logfile', path.join(dir, `redis-${port}.log`)];
  if (replicaOf) args.push('--replicaof', HOST, String(replicaOf));
  const s = server(dir, args);
  await waitFor(async () => { try { return (await cli(port, 'PING')) === 'PONG'; } catch { return false; } },
    { what: `redis-server on ${port}` });
  return s;
}

export async function startSentinels({ sentinels = 3 } = {}) {
  const dir = tempDir('sentinel');
  const masterPort = await freePort();
  const replicaPort = await freePort();
  const procs = [await startData(dir, masterPort), await startData(dir, replicaPort, masterPort)];
  // Probes that fail while a server is still starting count as "not yet".
  const probe = (fn) => async () => { try { return await fn(); } catch { return false; } };
  await waitFor(probe(async () => /master_link_status:up/.test(await cli(replicaPort, 'INFO', 'replication'))),
    { what: 'the replica to sync' });
  const ports = [];
  for (let i = 0; i < sentinels; i++) {
    const port = await freePort();
    const conf = path.join(dir, `sentinel-${i}.conf`);
    writeFileSync(conf, [
      `port ${port}`,
      `bind ${HOST}`,
      `dir ${dir}`,
      `sentinel monitor ${MASTER_NAME} ${HOST} ${masterPort} 2`,
      `sentinel down-after-milliseconds ${MASTER_NAME} 2000`,
      `sentinel failover-timeout ${MASTER_NAME} 10000`,
      '',
    ].join('\n'));
    procs.push(server(dir, [conf, '--sentinel', '--logfile', path.join(dir, `sentinel-${i}.log`)]));
    ports.push(port);
  }
  const env = {
    dir,
    ports,
    url: `redis+sentinel://${ports.map((p) => `${HOST}:${p}`).join(',')}/${MASTER_NAME}`,
    cli,
    // The port the first sentinel names as master now.
    async masterPort() {
      const out = await cli(ports[0], 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME);
      return Number(out.split('\n')[1]);
    },
    ports0: { master: masterPort, replica: replicaPort },
    // SENTINEL FAILOVER, then wait until every sentinel names the other server and it says master.
    async failover() {
      const before = await env.masterPort();
      await cli(ports[0], 'SENTINEL', 'FAILOVER', MASTER_NAME);
      await env.waitForMaster((p) => p !== before);
    },
    async waitForMaster(pred) {
      await waitFor(probe(async () => {
        for (const p of ports) {
          const out = await cli(p, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME);
          if (!pred(Number(out.split('\n')[1]))) return false;
        }
        const m = await env.masterPort();
        return /^master/.test(await cli(m, 'ROLE'));
      }), { timeoutMs: 30000, what: 'the sentinels to agree on the new master' });
    },
    async stop() { for (const p of procs) await p.stop(); },
  };
  // Every sentinel knows the master and its replica (what SENTINEL FAILOVER needs).
  await waitFor(probe(async () => {
    for (const p of ports) {
      const replicas = await cli(p, 'SENTINEL', 'REPLICAS', MASTER_NAME);
      if (!replicas.includes(String(replicaPort))) return false;
    }
    return true;
  }), { timeoutMs: 30000, what: 'the sentinels to discover the replica' });
  return env;
}

// One sentinel (quorum 1) monitoring MASTER_NAME at 127.0.0.1:masterPort, whatever listens there
// (a silent server included: the sentinel still names that address, and with no replica it never
// fails over). { port, url (redis+sentinel://), stop() }.
export async function startLoneSentinel(masterPort) {
  const dir = tempDir('sentinel-lone');
  const port = await freePort();
  const conf = path.join(dir, 'sentinel.conf');
  writeFileSync(conf, [`port ${port}`, `bind ${HOST}`, `dir ${dir}`,
    `sentinel monitor ${MASTER_NAME} ${HOST} ${masterPort} 1`, ''].join('\n'));
  const s = server(dir, [conf, '--sentinel', '--logfile', path.join(dir, 'sentinel.log')]);
  await waitFor(async () => {
    try {
      return (await cli(port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME)).endsWith(String(masterPort));
    } catch { return false; }
  }, { what: `the sentinel on ${port}` });
  return { port, url: `redis+sentinel://${HOST}:${port}/${MASTER_NAME}`, stop: s.stop };
}
