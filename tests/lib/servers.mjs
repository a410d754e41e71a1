// One lifecycle for the servers a suite runs against: useRedis() and usePostgres() register the
// node:test hooks (start in before, stop in after; for PostgreSQL every client session released
// after each test) and return a handle usable from the top of the file. Called inside describe(),
// the hooks belong to that describe.
//
// Two orderings to know: Node 20 starts a file's top-level before hooks together without waiting
// for one another, so what needs a server goes in setup(fn), not before(fn); and node:test runs
// after hooks in the order they were registered, so a suite's own after() would run once the server
// is gone: what must close first goes in `closers` (closed last first) or the `teardown` option.
import { after, afterEach, before } from 'node:test';

import { startRedis } from './harness.mjs';
import { startPostgres } from './pg.mjs';
import { startCluster } from './redis-cluster.mjs';

// Every server asked for so far, as its memoised start: setup() waits for them.
const starts = [];

function startOnce(start) {
  let started;
  const once = () => { started ??= start(); return started; };
  starts.push(once);
  return once;
}

// A before hook that runs fn once every server asked for above it (useRedis, usePostgres) is up.
export function setup(fn) {
  const upTo = starts.length;
  before(async () => {
    await Promise.all(starts.slice(0, upTo).map((s) => s()));
    await fn();
  });
}

// A stand-in for what `start` resolves to, forwarding every property once before() has run; own
// holds the handle's extras (they win over the server's properties).
function handle(what, current, own) {
  return new Proxy(own, {
    get(target, key) {
      if (Object.hasOwn(target, key)) return target[key];
      const server = current();
      if (!server) throw new Error(`${what}.${String(key)} used before the suite's before() hook started it`);
      const v = server[key];
      return typeof v === 'function' ? v.bind(server) : v;
    },
  });
}

// A private redis-server for the suite (startRedis options: password, maxmemoryPolicy, unixsocket).
// The handle has every startRedis field (url, host, port, cli, client(), ...) and:
//   io          one ioredis client of the suite, opened at start
//   connection  { host, port, password } for BullMQ, the same object throughout (filled at start)
//   closers     objects (Queue, Worker, FlowProducer, ...) closed last first, before the server stops
//   args(p)     ['--redis', url] plus ['--prefix', p] when given
// Options: close(c) closes one closer (default c.close()); teardown() runs before the closers.
export function useRedis({ close = (c) => c.close(), teardown, ...options } = {}) {
  let server;
  let io;
  const connection = {};
  const closers = [];
  const own = {
    connection,
    closers,
    io: handle('redis.io', () => io, {}),
    args: (prefix) => ['--redis', server.url, ...(prefix === undefined ? [] : ['--prefix', prefix])],
  };
  const start = startOnce(async () => {
    server = await startRedis(options);
    Object.assign(connection, server.connection);
    io = server.client();
  });
  before(start);
  after(async () => {
    if (teardown) await teardown();
    for (const c of closers.reverse()) await close(c);
    await server?.stop();
  });
  return handle('redis', () => server, own);
}

// A private three-master Redis Cluster for the suite (startCluster options). The handle has every
// startCluster field (url, ports, cli, moveSlot, kill, ...) and:
//   io       one ioredis Cluster client of the suite, opened at start
//   closers  objects (Queue, Worker, ...) closed last first, before the cluster stops
//   args(p)  ['--redis', url] plus ['--prefix', p] when given
export function useCluster({ close = (c) => c.close(), teardown, ...options } = {}) {
  let cluster;
  let io;
  const closers = [];
  const own = {
    closers,
    io: handle('cluster.io', () => io, {}),
    args: (prefix) => ['--redis', cluster.url, ...(prefix === undefined ? [] : ['--prefix', prefix])],
  };
  const start = startOnce(async () => {
    cluster = await startCluster(options);
    io = cluster.client();
  });
  before(start);
  after(async () => {
    if (teardown) await teardown();
    for (const c of closers.reverse()) await close(c);
    await cluster?.stop();
  });
  return handle('cluster', () => cluster, own);
}

// A private PostgreSQL cluster for the suite (startPostgres options: maxConnections,
// superuserReserved, pgbouncer, poolSize); after each test every session is released
// (releaseAfterEach: false keeps them). teardown() runs before the server stops (close the
// clients of the suite there). The handle has every startPostgres field.
export function usePostgres({ releaseAfterEach = true, teardown, ...options } = {}) {
  let pg;
  before(startOnce(async () => { pg = await startPostgres(options); }));
  after(async () => {
    try {
      if (pg) await teardown?.();
    } finally {
      await pg?.stop();
    }
  });
  if (releaseAfterEach) afterEach(async () => { await pg.releaseAll(); });
  return handle('pg', () => pg, {});
}
