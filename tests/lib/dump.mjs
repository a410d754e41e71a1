// A normalised dump of every key of one queue, for differential tests: opsctl operates on one
// queue, BullMQ's API on a twin built the same way, and the two dumps must be deep-equal.
//
// Normalisation: the queue name in key names becomes "Q"; stream entry ids are dropped (the order
// and fields of entries stay); values that are times (hash fields in TIME_FIELDS, scores of
// completed/failed/waiting-children, lock values) are replaced by "<time>" when they look like epoch
// milliseconds. Everything else (ids, list order, set members, other scores, hash fields) is exact.

const TIME_FIELDS = new Set(['timestamp', 'processedOn', 'finishedOn', 'prevTS']);
const TIME_SCORED = new Set(['completed', 'failed', 'waiting-children', 'marker']);

const looksLikeTime = (v) => /^\d{13}$/.test(String(v));
const maskTime = (v) => (looksLikeTime(v) ? '<time>' : v);

// All keys of the queue (SCAN, never KEYS), including the job hashes and their sub-keys.
export async function queueKeys(redis, prefix, queue) {
  const base = `${prefix}:${queue}:`;
  const pattern = base.replace(/[*?[\]\\]/g, (c) => `\\${c}`) + '*';
  const keys = new Set();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    for (const k of batch) keys.add(k);
  } while (cursor !== '0');
  return [...keys].sort();
}

// { "<Q-relative key>": { type, value } } for every key of the queue.
export async function dumpQueue(redis, prefix, queue, { maskTimes = true } = {}) {
  const base = `${prefix}:${queue}:`;
  const out = {};
  for (const key of await queueKeys(redis, prefix, queue)) {
    const rel = key.slice(base.length);
    const suffix = rel.split(':').pop();
    const type = await redis.type(key);
    let value;
    switch (type) {
      case 'string':
        value = await redis.get(key);
        if (rel.endsWith(':lock') || rel === 'stalled-check') value = '<lock>';
        break;
      case 'list':
        value = await redis.lrange(key, 0, -1);
        break;
      case 'set':
        value = (await redis.smembers(key)).sort();
        break;
      case 'zset': {
        const flat = await redis.zrange(key, 0, -1, 'WITHSCORES');
        value = [];
        for (let i = 0; i < flat.length; i += 2) {
          const score = maskTimes && TIME_SCORED.has(suffix) ? maskTime(flat[i + 1]) : flat[i + 1];
          value.push([flat[i], score]);
        }
        if (maskTimes && TIME_SCORED.has(suffix)) value.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
        break;
      }
      case 'hash': {
        const h = await redis.hgetall(key);
        value = {};
        for (const f of Object.keys(h).sort()) value[f] = maskTimes && TIME_FIELDS.has(f) ? maskTime(h[f]) : h[f];
        break;
      }
      case 'stream': {
        const entries = await redis.xrange(key, '-', '+');
        value = entries.map(([, fields]) => fields);
        break;
      }
      default:
        value = `<${type}>`;
    }
    out[rel] = { type, value };
  }
  return out;
}
