// BullMQ 6 on PostgreSQL for the compat suites: a BullMQ schema (BullMQ's own migrations) in a
// PostgreSQL started by tests/lib/pg.mjs, the real Queue / Worker / FlowProducer on it through
// BullMQ's createPostgresBackend, a seeding of one queue with a job in every state, and a
// normalised dump of the schema's rows for differential tests (the PostgreSQL counterpart of
// dump.mjs). What the tables and functions mean: docs/bullmq-postgres.md.
//
//   const pg = usePostgres({ maxConnections: 40 });
//   const bq = bullmqPg(pg, { schema: 'bullmq' });      // pg: the handle (or startPostgres' result)
//   setup(() => bq.migrate());                          // creates the schema: BullMQ's runMigrations
//   const q = bq.queue('mail');                         // closed by bq.close()
//   const seeded = await seedStates(bq, 'mail');        // every state; seeded.release() ends the hold
//   const rows = await bq.dump({ queue: 'mail' });      // normalised, queue name -> "Q"
//
// Every BullMQ object and client the handle makes is closed by close(), workers first.
import { APP_PASSWORD, DB } from './pg.mjs';
import { requireCompat } from './compat-modules.mjs';
import { waitFor } from './harness.mjs';

export const bullmq = requireCompat('bullmq');
// node-postgres, the driver BullMQ's backend loads (its peer dependency, pinned in tests/compat).
export const pgDriver = requireCompat('pg');

const { createPostgresBackend, FlowProducer, Queue, Worker } = bullmq;

// Tables whose rows belong to one queue, and the columns that name it.
const QUEUE_TABLES = {
  meta: ['queue'],
  job: ['queue'],
  job_log: ['queue'],
  job_dependency: ['parent_queue', 'child_queue'],
  event: ['queue'],
  metrics: ['queue'],
  rate_limit: ['queue'],
  dedup: ['queue'],
  dedup_next: ['queue'],
  scheduler: ['queue'],
};
// Primary keys, for a stable row order (event and job are ordered by their normalised id / id).
const ORDER = {
  migration: ['version'],
  meta: ['queue', 'field'],
  job: ['queue', 'id'],
  job_log: ['queue', 'job_id', 'idx'],
  job_dependency: ['parent_queue', 'parent_id', 'child_key'],
  event: ['queue', 'id'],
  metrics: ['queue', 'kind'],
  rate_limit: ['queue'],
  dedup: ['queue', 'dedup_id'],
  dedup_next: ['queue', 'dedup_id'],
  scheduler: ['queue', 'scheduler_id'],
};
// Columns holding a duration, not a time: kept even when they look like epoch milliseconds.
const DURATION_COLUMNS = new Set(['delay_ms', 'every_ms']);
// Meta fields whose value is a time.
const TIME_META = new Set(['stalled-check']);

const looksLikeTime = (v) => (typeof v === 'string' || typeof v === 'number') && /^\d{13}$/.test(String(v));

// A SQL identifier for the schema, as BullMQ accepts it (quoteSchemaName: a simple identifier).
export function quoteIdent(name) {
  if (!/^[A-Za-z_][A-Za-z0-9_$]*$/.test(name) || name.length > 63) throw new Error(`bad identifier ${name}`);
  return `"${name}"`;
}

// CREATE DATABASE <name> OWNER app on a server from startPostgres (superuser over its socket).
export async function createDatabase(pg, name) {
  await pg.sql(`CREATE DATABASE ${quoteIdent(name)} OWNER app`, { db: 'postgres' });
  return name;
}

// A handle on one BullMQ schema of one database, reached as the `app` role (the owner of the
// harness's database) over TCP.
//   schema    the BullMQ namespace (BullMQ's default is "bullmq")
//   database  default the harness's appdb (createDatabase makes others)
//   poolMax   size of each BullMQ object's pg.Pool (every Queue, Worker and FlowProducer has its own;
//             a Worker also holds one more connection for LISTEN)
export function bullmqPg(pg, { schema = 'bullmq', database = DB, poolMax = 2 } = {}) {
  quoteIdent(schema);
  const closers = [];  // BullMQ objects, closed last made first (workers are closed before the rest)
  const clients = [];
  const gates = [];
  const base = () => ({ host: pg.host, port: pg.port, user: 'app', password: APP_PASSWORD, database });
  let shared;
  const sharedClient = () => { shared ??= handle.client(); return shared; };

  const handle = {
    schema,
    database,
    // The connection option of BullMQ's Queue/Worker/FlowProducer for this schema (a pg.Pool
    // config plus BullMQ's own `schema` and `migrate`). Fresh object each call: BullMQ keeps it.
    connection(extra = {}) {
      return { ...base(), schema, max: poolMax, ...extra };
    },

    // A connected node-postgres client as `app` (closed by close()). Its search_path is the
    // schema, as BullMQ sets it on its own connections.
    async client({ applicationName } = {}) {
      const c = new pgDriver.Client({ ...base(), options: `-c search_path=${quoteIdent(schema)}`,
        ...(applicationName ? { application_name: applicationName } : {}) });
      c.on('error', () => {});
      await c.connect();
      clients.push(c);
      return c;
    },

    // Rows of one query on a shared client.
    async sql(text, params = []) {
      return (await (await sharedClient()).query(text, params)).rows;
    },

    // Creates (or brings up to date) the schema with BullMQ's own migration runner; returns the
    // schema version it is at (LATEST_SCHEMA_VERSION for a new schema).
    async migrate() {
      const c = new pgDriver.Client(base());
      await c.connect();
      try {
        return await bullmq.runMigrations(c, schema);
      } finally {
        await c.end();
      }
    },

    // The schema version recorded by BullMQ's migration runner (its `migration` ledger).
    async schemaVersion() {
      const [r] = await handle.sql(`SELECT COALESCE(max(version), 0)::int AS v FROM ${quoteIdent(schema)}.migration`);
      return r.v;
    },

    queue(name, opts = {}) {
      const q = new Queue(name, { connection: handle.connection(), ...opts }, createPostgresBackend);
      q.on('error', () => {});
      closers.push({ kind: 'other', close: () => q.close() });
      return q;
    },

    worker(name, processor, opts = {}) {
      const w = new Worker(name, processor, { connection: handle.connection(), ...opts }, createPostgresBackend);
      w.on('error', () => {});
      // Not forced: a forced close skips BullMQ's disconnectBlocking, which leaves an idle
      // worker's wait timer (up to an hour when a delayed job is far off) keeping node alive.
      closers.push({ kind: 'worker', close: () => w.close() });
      return w;
    },

    flow(opts = {}) {
      const f = new FlowProducer({ connection: handle.connection(), ...opts }, createPostgresBackend);
      f.on('error', () => {});
      closers.push({ kind: 'other', close: () => f.close() });
      return f;
    },

    // A bare PostgresQueueBackend for `name` (what a Worker builds), for calls a Worker makes on
    // its own, such as moveToActive. Closed by close().
    async backend(name, opts = {}) {
      const b = createPostgresBackend(name, { connection: handle.connection(), ...opts });
      b.on('error', () => {});
      closers.push({ kind: 'other', close: () => b.close() });
      await b.waitUntilReady();
      return b;
    },

    // { wait, open }: wait is a promise that open() — or close() — resolves, for processors that
    // must hold a job until then (close() waits for every worker's current jobs: a processor must
    // end once its gate opens).
    gate() {
      let open;
      const wait = new Promise((r) => { open = r; });
      gates.push(open);
      return { wait, open };
    },

    // pg_stat_activity sessions of this database that BullMQ's getWorkers() counts as workers of
    // `queue`: application_name is the queue name, or starts with "<queue>:w:" (a named worker).
    async workerSessions(queue) {
      return handle.sql(`SELECT pid, application_name FROM pg_stat_activity
        WHERE datname = current_database() AND (application_name = $1 OR starts_with(application_name, $1 || ':w:'))
        ORDER BY pid`, [queue]);
    },

    async dump(opts = {}) {
      return dumpSchema(await sharedClient(), schema, opts);
    },

    async close() {
      const all = closers.splice(0).reverse();
      // Every worker is closing (no next job is fetched) before the gates open.
      const closing = all.filter((x) => x.kind === 'worker').map((c) => c.close().catch(() => {}));
      for (const open of gates.splice(0)) open();
      await Promise.all(closing);
      for (const c of all.filter((x) => x.kind !== 'worker')) await c.close().catch(() => {});
      shared = undefined;
      await Promise.all(clients.splice(0).map((c) => c.end().catch(() => {})));
    },
  };
  return handle;
}

// ---------------------------------------------------------------------------------------------
// Seeding: one queue with jobs in every state, made by BullMQ's own API (and, for the stuck job,
// by the claim a Worker makes, from a "worker" that then stops renewing its lock).
//
//   completed  2   name ok, return value {ok: true}                     (a Worker, then closed)
//   failed     3   name bad, attempts 1: "boom A" x2, "boom B: smtp down" (one log line on the last)
//   active     2   hold: a live Worker named "holder" holds it (lock renewed);
//                  stuck: claimed by worker "dead", lockDuration 1 ms: its lock has expired
//   waiting    5   w x3, and the two children of the flow
//   prioritized 1  p, priority 5
//   delayed    2   d (delay 1 h), and the next job of Job Scheduler "yearly" (cron 0 0 1 1 *)
//   waiting-children 1  flow-parent (children flow-child-1 and -2, in the same queue)
//
// The Workers skip the stalled-job check (it marks rows in passing) and run one job at a time, so
// two queues seeded in turn give equal dumps. Returns { queue, ids, counts, release }: release()
// lets the holder complete its job and closes it (bq.close() does the same).
export const SEEDED_COUNTS = {
  active: 2, completed: 2, delayed: 2, failed: 3, prioritized: 1, waiting: 5, 'waiting-children': 1,
};

export async function seedStates(bq, name, { holdLockMs = 30000 } = {}) {
  const queue = bq.queue(name);
  await queue.waitUntilReady();
  const counts = async () => queue.getJobCounts();
  const ids = {};

  const finished = await queue.addBulk([
    { name: 'ok', data: { n: 1 } },
    { name: 'ok', data: { n: 2 } },
    { name: 'bad', data: { fail: 'boom A' }, opts: { attempts: 1 } },
    { name: 'bad', data: { fail: 'boom A' }, opts: { attempts: 1 } },
    { name: 'bad', data: { fail: 'boom B: smtp down' }, opts: { attempts: 1 } },
  ]);
  ids.completed = finished.slice(0, 2).map((j) => j.id);
  ids.failed = finished.slice(2).map((j) => j.id);
  const finisher = bq.worker(name, async (job) => {
    if (job.data.fail) throw new Error(job.data.fail);
    return { ok: true };
  }, { name: 'finisher', concurrency: 1, skipStalledCheck: true });
  await waitFor(async () => {
    const c = await counts();
    return c.completed === 2 && c.failed === 3;
  }, { what: `${name}: 2 completed and 3 failed` });
  await finisher.close();
  await queue.addJobLog(ids.failed[2], 'smtp: connection timed out');

  // stuck: the claim BullMQ's Worker makes (move_to_active), by a worker that never renews it.
  ids.stuck = [(await queue.add('stuck', { n: 1 })).id];
  const dead = await bq.backend(name, { name: 'dead', lockDuration: 1 });
  const [claimed] = await dead.moveToActive('dead-worker-token:1', 'dead');
  await dead.close();
  if (!claimed || claimed.id !== ids.stuck[0]) throw new Error(`${name}: the stuck job was not claimed`);

  ids.active = [(await queue.add('hold', { n: 1 })).id];
  const gate = bq.gate();
  const holder = bq.worker(name, async () => { await gate.wait; return 'released'; },
    { name: 'holder', concurrency: 1, skipStalledCheck: true, lockDuration: holdLockMs });
  await waitFor(async () => (await counts()).active === 2, { what: `${name}: the holder to take its job` });
  // The holder completes its job and stops (closing first, it takes no other).
  const release = async () => {
    const closing = holder.close();
    gate.open();
    await closing;
  };

  ids.waiting = [];
  for (const n of [1, 2, 3]) ids.waiting.push((await queue.add('w', { n })).id);
  ids.prioritized = [(await queue.add('p', { n: 1 }, { priority: 5 })).id];
  ids.delayed = [(await queue.add('d', { n: 1 }, { delay: 3600_000 })).id];

  // Fixed ids: a FlowProducer otherwise names its jobs with random UUIDs.
  const flow = bq.flow();
  const tree = await flow.add({
    name: 'parent', queueName: name, data: { p: 1 }, opts: { jobId: 'flow-parent' },
    children: [
      { name: 'child', queueName: name, data: { c: 1 }, opts: { jobId: 'flow-child-1' } },
      { name: 'child', queueName: name, data: { c: 2 }, opts: { jobId: 'flow-child-2' } },
    ],
  });
  await flow.close();
  ids.waitingChildren = [tree.job.id];
  ids.children = tree.children.map((c) => c.job.id);
  ids.waiting.push(...ids.children);

  const next = await queue.upsertJobScheduler('yearly', { pattern: '0 0 1 1 *' },
    { name: 'report', data: { kind: 'yearly' } });
  ids.scheduler = { id: 'yearly', jobId: next.id };
  ids.delayed.push(next.id);

  const got = await counts();
  for (const [state, n] of Object.entries(SEEDED_COUNTS)) {
    if (got[state] !== n) throw new Error(`${name}: seeded ${JSON.stringify(got)}, expected ${JSON.stringify(SEEDED_COUNTS)}`);
  }
  return { queue, ids, counts: got, release };
}

// ---------------------------------------------------------------------------------------------
// Dump: every row of the schema's BullMQ tables (or of one queue), normalised for comparison.
//
//   { migration, meta, job, job_log, job_dependency, event, metrics, rate_limit, dedup, dedup_next,
//     scheduler, relay_* (whole-schema dumps only), job_id_sequences: { <queue>: last id handed out } }
//
// Normalisation (maskTimes, the default):
//   - with { queue }, the queue's name becomes "Q" in the queue columns and in "<queue>:<id>" keys
//     (parent_key, child_key, and JSON strings in data/opts/events);
//   - job.seq and event.id come from sequences shared by every queue of the schema: replaced by
//     their rank within the queue (1 = first in order), which is what they mean;
//   - times (columns ending in _ms or _at, stalled-check, JSON values) that look like epoch
//     milliseconds, and timestamptz values, become "<time>"; durations (delay_ms, every_ms) stay,
//     except a scheduler job's delay (next run - now) which becomes "<delay>", and
//     scheduler.offset_ms (derived from the time of the first upsert) becomes "<offset>";
//   - lock tokens (worker id + counter) become "<token>".
// Everything else is exact: ids, states, names, data, opts, attempts, reasons, stack traces,
// return values, dependency statuses, event names and payloads. Rows are sorted by primary key.
export async function dumpSchema(client, schema, { queue, maskTimes = true } = {}) {
  const s = quoteIdent(schema);
  const tables = (await client.query(`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1`, [schema])).rows.map((r) => r.relname);
  const out = {};
  const rename = queue === undefined ? (v) => v : (v) => renameQueue(v, queue);

  for (const table of tables) {
    if (queue !== undefined && !QUEUE_TABLES[table]) continue;
    let where = '';
    const params = [];
    if (queue !== undefined) {
      where = ` WHERE ${QUEUE_TABLES[table].map((c) => `${quoteIdent(c)} = $1`).join(' OR ')}`;
      params.push(queue);
    }
    let rows = (await client.query(`SELECT * FROM ${s}.${quoteIdent(table)}${where}`, params)).rows;
    if (table === 'job') rows = rankWithinQueue(rows, 'seq');
    if (table === 'event') rows = rankWithinQueue(rows, 'id');
    rows = rows.map((row) => normaliseRow(table, row, { maskTimes, rename }));
    const keys = ORDER[table] ?? Object.keys(rows[0] ?? {}).sort();
    rows.sort((a, b) => compareBy(a, b, keys));
    out[table] = rows;
  }

  // The per-queue job id counters (BullMQ's next_job_id: sequence "bullmq_jid_" || md5(queue)).
  const seqs = (await client.query(`SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = $1 AND c.relkind = 'S' AND c.relname LIKE 'bullmq\\_jid\\_%'`, [schema])).rows.map((r) => r.relname);
  const names = queue !== undefined ? [queue] : [...new Set([
    ...(out.meta ?? []).map((r) => r.queue), ...(out.job ?? []).map((r) => r.queue)])];
  const byName = {};
  for (const q of names) {
    const [{ seq }] = (await client.query(`SELECT ${s}.job_id_seq_name($1) AS seq`, [q])).rows;
    byName[seq] = q;
  }
  out.job_id_sequences = {};
  for (const seq of seqs.sort()) {
    if (queue !== undefined && !byName[seq]) continue;
    const [r] = (await client.query(`SELECT last_value, is_called FROM ${s}.${quoteIdent(seq)}`)).rows;
    out.job_id_sequences[rename(byName[seq] ?? seq)] = r.is_called ? String(r.last_value) : '0';
  }
  return out;
}

// Replaces a bigint ordering column by its 1-based rank among the rows of the same queue.
function rankWithinQueue(rows, column) {
  const byQueue = new Map();
  for (const r of rows) {
    if (!byQueue.has(r.queue)) byQueue.set(r.queue, []);
    byQueue.get(r.queue).push(r);
  }
  for (const list of byQueue.values()) {
    list.sort((a, b) => {
      const x = BigInt(a[column]);
      const y = BigInt(b[column]);
      return x < y ? -1 : x > y ? 1 : 0;
    });
    list.forEach((r, i) => { r[column] = i + 1; });
  }
  return rows;
}

function renameQueue(v, queue) {
  if (typeof v === 'string') {
    if (v === queue) return 'Q';
    if (v.startsWith(`${queue}:`)) return `Q${v.slice(queue.length)}`;
    return v;
  }
  if (Array.isArray(v)) return v.map((x) => renameQueue(x, queue));
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, renameQueue(x, queue)]));
  }
  return v;
}

function maskJson(v) {
  if (looksLikeTime(v)) return '<time>';
  if (Array.isArray(v)) return v.map(maskJson);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, maskJson(x)]));
  return v;
}

function normaliseRow(table, row, { maskTimes, rename }) {
  const out = {};
  for (const col of Object.keys(row).sort()) {
    let v = row[col];
    if (v instanceof Date) v = maskTimes ? '<time>' : v.toISOString();
    else if (typeof v === 'bigint') v = String(v);
    if (maskTimes) {
      if ((col.endsWith('_ms') || col.endsWith('_at')) && !DURATION_COLUMNS.has(col) && looksLikeTime(v)) v = '<time>';
      if (col === 'lock_token' && v !== null) v = '<token>';
      if (table === 'meta' && col === 'value' && TIME_META.has(row.field) && looksLikeTime(v)) v = '<time>';
      if (table === 'scheduler' && col === 'offset_ms' && v !== null) v = '<offset>';
      if (v && typeof v === 'object') v = maskJson(v);
    }
    out[col] = rename(v);
  }
  if (maskTimes && table === 'job' && row.scheduler_id !== null) {
    out.delay_ms = '<delay>';
    if (out.opts && typeof out.opts === 'object' && 'delay' in out.opts) out.opts = { ...out.opts, delay: '<delay>' };
  }
  return out;
}

function compareBy(a, b, keys) {
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return x - y;
      continue;
    }
    const sx = JSON.stringify(x ?? null);
    const sy = JSON.stringify(y ?? null);
    if (sx !== sy) return sx < sy ? -1 : 1;
  }
  return 0;
}
