// A Redis Cluster on loopback ports: three masters (redis-server --cluster-enabled yes), each in the
// same fresh temp dir with its own nodes file, joined with `redis-cli --cluster create
// --cluster-yes`, ready once every node says cluster_state:ok. Helpers move a slot between masters
// the way redis-cli --cluster reshard does (SETSLOT IMPORTING/MIGRATING, MIGRATE, SETSLOT NODE).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort, HOST, redisCliAt, spawnRedisServer, Redis, tempDir, waitFor } from './harness.mjs';

const exec = promisify(execFile);

const cli = (port, ...a) => redisCliAt(port, a, { timeout: 20000 });

const server = spawnRedisServer;

const probe = (fn) => async () => { try { return await fn(); } catch { return false; } };

// { dir, ports, url (the first node), urls, cli(port, ...args), client() (ioredis Cluster),
//   slotOwner(slot), moveSlot(slot, toPort, { between }), kill(port), stop() }.
export async function startCluster({ masters = 3 } = {}) {
  const dir = tempDir('cluster');
  const ports = [];
  const procs = {};
  for (let i = 0; i < masters; i++) {
    const port = await freePort();
    const busPort = await freePort();
    procs[port] = server(dir, ['--port', String(port), '--bind', HOST, '--cluster-enabled', 'yes',
      '--cluster-port', String(busPort), '--cluster-config-file', `nodes-${port}.conf`,
      '--cluster-node-timeout', '2000', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no',
      '--maxmemory-policy', 'noeviction', '--logfile', path.join(dir, `redis-${port}.log`)]);
    ports.push(port);
  }
  for (const p of ports) {
    await waitFor(probe(async () => (await cli(p, 'PING')) === 'PONG'), { what: `cluster node ${p}` });
  }
  await exec('redis-cli', ['--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`), '--cluster-yes'],
    { encoding: 'utf8', timeout: 30000 });
  await waitFor(probe(async () => {
    for (const p of ports) if (!/cluster_state:ok/.test(await cli(p, 'CLUSTER', 'INFO'))) return false;
    return true;
  }), { timeoutMs: 30000, what: 'cluster_state:ok on every node' });
  const clients = [];
  const env = {
    dir,
    ports,
    url: `redis://${HOST}:${ports[0]}`,
    urls: ports.map((p) => `redis://${HOST}:${p}`),
    cli,
    // An ioredis Cluster client (what BullMQ connects with); closed by stop().
    client(options = {}) {
      const c = new Redis.Cluster([{ host: HOST, port: ports[0] }], { ...options });
      clients.push(c);
      return c;
    },
    nodeId: async (port) => cli(port, 'CLUSTER', 'MYID'),
    // The port of the master serving slot.
    async slotOwner(slot) {
      const shards = JSON.parse(await cli(ports[0], '--json', 'CLUSTER', 'SLOTS'));
      for (const [lo, hi, [, port]] of shards) if (slot >= lo && slot <= hi) return Number(port);
      return null;
    },
    keySlot: async (key) => Number(await cli(ports[0], 'CLUSTER', 'KEYSLOT', key)),
    // Moves slot to the master on toPort as a resharding does; between(n) runs after every batch
    // of keys migrated (the slot is half-moved then: ASK and TRYAGAIN happen).
    async moveSlot(slot, toPort, { batch = 500, between } = {}) {
      const fromPort = await env.slotOwner(slot);
      if (fromPort === toPort) return;
      const [fromId, toId] = [await env.nodeId(fromPort), await env.nodeId(toPort)];
      await cli(toPort, 'CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', fromId);
      await cli(fromPort, 'CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', toId);
      let moved = 0;
      for (;;) {
        const keys = (await cli(fromPort, 'CLUSTER', 'GETKEYSINSLOT', String(slot), String(batch))).split('\n').filter(Boolean);
        if (keys.length === 0) break;
        await cli(fromPort, 'MIGRATE', HOST, String(toPort), '', '0', '10000', 'REPLACE', 'KEYS', ...keys);
        moved += keys.length;
        if (between) await between(moved);
      }
      for (const p of ports) await cli(p, 'CLUSTER', 'SETSLOT', String(slot), 'NODE', toId);
      return moved;
    },
    async kill(port) { await procs[port].stop(); },
    async stop() {
      for (const c of clients) c.disconnect();
      for (const p of ports) await procs[p].stop();
    },
  };
  return env;
}
