// Output formats (json, nagios, prom, text), --prom-file, colour rules and threshold exit codes.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';

import { seedBacklog, seedFailed, seedStuck } from '../lib/fixtures.mjs';
import {
  OPSCTL_BIN, assertCode, assertExited, lines, run, runJson, seedMeta, tempDir,
} from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const STATES = ['active', 'completed', 'delayed', 'failed', 'prioritized', 'waiting', 'waiting-children'];
const NOW = Date.now();
const redis = useRedis();
const R = () => redis.args();

setup(async () => {
  // q: 12 waiting jobs; job 1 was added first (LPUSH: the head of the list is the right end).
  await seedMeta(redis, 'q');
  await seedBacklog(redis, 'q', 12, (i) => ({ name: 'mail', data: `{"n":${i}}`, opts: '{"attempts":1}', timestamp: NOW - (13 - i) * 1000, atm: 0 }));
  await redis.cli('SET', 'bull:q:id', '12');
  // f: 6 failed jobs, two reasons.
  await seedMeta(redis, 'f');
  for (let i = 1; i <= 6; i++) {
    const reason = i <= 4 ? 'boom' : 'smtp down';
    await seedFailed(redis, 'f', i, {
      name: 'mail', data: '{}', opts: '{}', timestamp: NOW - 5000, processedOn: NOW - 4000, finishedOn: NOW - 3000 + i,
      failedReason: reason, stacktrace: '[]', atm: 1, ats: 1,
    });
  }
  // calm: 2 waiting, nothing crosses a threshold.
  await seedMeta(redis, 'calm');
  await seedBacklog(redis, 'calm', 2, () => ({ name: 'x', data: '{}', opts: '{}', timestamp: NOW, atm: 0 }));
});

describe('-o json', () => {
  test('queue inspect is one JSON document with the fixed fields', async () => {
    const args = ['queue', 'inspect', 'q', '-o', 'json', ...R()];
    const r = await runJson(args);
    assertCode(args, r, 1);
    const j = r.json;
    assert.equal(j.queue, 'q');
    assert.equal(j.prefix, 'bull');
    assert.equal(j.status, 'warning');
    assert.equal(j.paused, false);
    assert.equal(j.layout, 'bullmq');
    assert.equal(j.version, 'bullmq:6.7.0');
    assert.deepEqual(Object.keys(j.counts).sort(), STATES);
    assert.deepEqual(j.counts, { active: 0, completed: 0, delayed: 0, failed: 0, prioritized: 0, waiting: 12, 'waiting-children': 0 });
    assert.equal(j.workers, 0);
    assert.deepEqual(j.worker_names, []);
    assert.equal(j.oldest_waiting.id, '1');
    // epoch ms or an ISO 8601 string: either way the first job's timestamp
    const ts = j.oldest_waiting.timestamp;
    assert.equal(typeof ts === 'string' ? Date.parse(ts) : ts, NOW - 12000);
    assert.ok(j.oldest_waiting.age_ms >= 12000 && j.oldest_waiting.age_ms < 120000, `age_ms ${j.oldest_waiting.age_ms}`);
    assert.deepEqual(j.failures, []);
    assert.deepEqual(j.problems, []);
    assert.ok(!('jobs' in j), 'jobs only with --state');
    assert.equal(r.stderr, '');
  });

  test('--state lists jobs of that state, with --limit and --offset', async () => {
    const base = ['queue', 'inspect', 'q', '-o', 'json', '--state', 'waiting', ...R()];
    const all = await runJson([...base, '--limit', '50']);
    const ids = all.json.jobs.map((jb) => jb.id);
    assert.deepEqual([...ids].sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => String(i + 1)));
    for (const jb of all.json.jobs) {
      assert.equal(jb.state, 'waiting');
      assert.equal(jb.name, 'mail');
      assert.deepEqual(jb.problems, []);
    }
    const page = await runJson([...base, '--limit', '5']);
    assert.deepEqual(page.json.jobs.map((jb) => jb.id), ids.slice(0, 5));
    const tail = await runJson([...base, '--limit', '5', '--offset', '10']);
    assert.deepEqual(tail.json.jobs.map((jb) => jb.id), ids.slice(10));
    const dflt = await runJson(base);
    assert.equal(dflt.json.jobs.length, 12, 'default --limit 20 shows all 12');
  });

  test('failures are grouped by reason', async () => {
    const args = ['queue', 'inspect', 'f', '-o', 'json', ...R()];
    const r = await runJson(args);
    const byReason = Object.fromEntries(r.json.failures.map((g) => [g.reason, g]));
    assert.deepEqual(Object.keys(byReason).sort(), ['boom', 'smtp down']);
    assert.equal(byReason.boom.count, 4);
    assert.equal(byReason['smtp down'].count, 2);
    for (const id of byReason.boom.sample_ids) assert.ok(['1', '2', '3', '4'].includes(id), id);
    for (const id of byReason['smtp down'].sample_ids) assert.ok(['5', '6'].includes(id), id);
    assert.ok(byReason.boom.sample_ids.length >= 1);
    assert.equal(r.json.oldest_waiting, null);
  });
});

describe('thresholds set the status and the exit code', () => {
  const inspect = (q, ...extra) => ['queue', 'inspect', q, '-o', 'json', ...extra, ...R()];
  const cases = [
    ['12 waiting, defaults (warn 10, crit 50)', ['q'], 1, 'warning'],
    ['12 waiting, --crit-wait 5 alone', ['q', '--crit-wait', '5'], 2, 'critical'],
    ['12 waiting, --warn-wait 2 --crit-wait 5', ['q', '--warn-wait', '2', '--crit-wait', '5'], 2, 'critical'],
    ['12 waiting, --warn-wait 20', ['q', '--warn-wait', '20'], 0, 'ok'],
    ['2 waiting, defaults', ['calm'], 0, 'ok'],
    ['6 failed, defaults (warn 5, crit 20)', ['f'], 1, 'warning'],
    ['6 failed, --warn-failed 10', ['f', '--warn-failed', '10'], 0, 'ok'],
    ['6 failed, --crit-failed 3 alone', ['f', '--crit-failed', '3'], 2, 'critical'],
    ['6 failed, --warn-failed 1 --crit-failed 3', ['f', '--warn-failed', '1', '--crit-failed', '3'], 2, 'critical'],
  ];
  for (const [name, extra, code, status] of cases) {
    test(name, async () => {
      const args = inspect(...extra);
      const r = await runJson(args);
      assertCode(args, r, code);
      assert.equal(r.json.status, status);
    });
  }

  test('an explicit --warn-* above its --crit-* is a usage error', async () => {
    const args = ['queue', 'inspect', 'q', '--warn-wait', '30', '--crit-wait', '20', ...R()];
    const r = await run(args);
    assertCode(args, r, 64);
  });
});

describe('-o nagios', () => {
  const NAGIOS = /^OPSCTL QUEUE (OK|WARNING|CRITICAL|UNKNOWN) - .* \| /;
  for (const [q, extra, word, code] of [['q', [], 'WARNING', 1], ['calm', [], 'OK', 0], ['f', ['--warn-failed', '1', '--crit-failed', '3'], 'CRITICAL', 2]]) {
    test(`${q} ${word}`, async () => {
      const args = ['queue', 'inspect', q, '-o', 'nagios', ...extra, ...R()];
      const r = await run(args);
      assertCode(args, r, code);
      assert.ok(r.stdout.endsWith('\n'));
      assert.equal(lines(r.stdout).length, 1, `one line: ${r.stdout}`);
      assert.match(r.stdout, NAGIOS);
      assert.equal(r.stdout.match(NAGIOS)[1], word);
    });
  }
});

function promSamples(text, metric) {
  const re = new RegExp(`^${metric}\\{([^}]*)\\} (\\S+)$`, 'gm');
  return [...text.matchAll(re)].map((m) => ({ labels: m[1], value: Number(m[2]) }));
}

function checkProm(text) {
  assert.match(text, /^# TYPE opsctl_\w+ (gauge|counter)$/m);
  const series = new Set();
  for (const l of lines(text)) {
    if (l.startsWith('#')) continue;
    assert.match(l, /^opsctl_\w+(\{.*\})? \S+$/, `not a sample: ${l}`);
    const name = l.slice(0, l.lastIndexOf(' '));
    assert.ok(!series.has(name), `duplicate series ${name}`);
    series.add(name);
  }
  const waiting = promSamples(text, 'opsctl_queue_jobs').filter((s) => s.labels.includes('state="waiting"'));
  assert.equal(waiting.length, 1, text);
  assert.ok(waiting[0].labels.includes('queue="q"'), waiting[0].labels);
  assert.equal(waiting[0].value, 12);
}

describe('-o prom and --prom-file', () => {
  test('-o prom prints the exposition on stdout', async () => {
    const args = ['queue', 'inspect', 'q', '-o', 'prom', ...R()];
    const r = await run(args);
    assertExited(args, r);
    assertCode(args, r, 1);
    checkProm(r.stdout);
  });

  test('--prom-file writes the file atomically and nothing to stdout', async () => {
    const d = tempDir('prom');
    const file = path.join(d, 'q.prom');
    writeFileSync(file, 'stale\n');
    const args = ['queue', 'inspect', 'q', '-o', 'prom', '--prom-file', file, ...R()];
    const r = await run(args);
    assertCode(args, r, 1);
    assert.equal(r.stdout, '');
    checkProm(readFileSync(file, 'utf8'));
    assert.deepEqual(readdirSync(d), ['q.prom'], 'a temp file was left behind');
  });

  test('--prom-file into a missing directory fails, naming the path', async () => {
    const file = path.join(tempDir('prom'), 'no-such-dir', 'q.prom');
    const args = ['queue', 'inspect', 'q', '-o', 'prom', '--prom-file', file, ...R()];
    const r = await run(args);
    assertExited(args, r);
    assert.notEqual(r.code, 0);
    assert.ok(r.stderr.includes(file), r.stderr);
  });
});

describe('paused queues', () => {
  test('a paused queue with jobs waiting is at least a warning, even under the backlog thresholds', async () => {
    await redis.cli('HSET', 'bull:calm:meta', 'paused', '1');
    try {
      const args = ['queue', 'inspect', 'calm', '-o', 'json', ...R()];
      const r = await runJson(args);
      assertCode(args, r, 1);
      assert.equal(r.json.status, 'warning');
      assert.equal(r.json.paused, true);
      assert.match(r.json.summary, /PAUSED with jobs waiting/);
    } finally {
      await redis.cli('HDEL', 'bull:calm:meta', 'paused');
    }
    const r = await runJson(['queue', 'inspect', 'calm', '-o', 'json', ...R()]);
    assert.equal(r.json.status, 'ok', 'unpaused with 2 waiting is ok');
  });
});

describe('stalled jobs', () => {
  test('an active job without a lock is reported as stalled and makes a warning', async () => {
    await seedMeta(redis, 'st');
    for (const i of [1, 2]) {
      await seedStuck(redis, 'st', i, { name: 'x', data: '{}', opts: '{}', timestamp: NOW, processedOn: NOW, atm: 0 });
    }
    await redis.cli('SET', 'bull:st:2:lock', 'worker-token', 'PX', '60000');
    const args = ['queue', 'inspect', 'st', '-o', 'json', ...R()];
    const r = await runJson(args);
    assertCode(args, r, 1);
    assert.deepEqual(r.json.stalled, { count: 1, checked: 2, sample_ids: ['1'] });
    assert.match(r.json.summary, /1 active without a lock/);
  });
});

describe('text output and colour', () => {
  let args;
  before(() => { args = ['queue', 'inspect', 'q', ...R()]; });

  test('text is the default, readable, and colourless off a TTY', async () => {
    const r = await run(args);
    assertCode(args, r, 1);
    assert.match(r.stdout, /waiting/);
    assert.match(r.stdout, /\b12\b/);
    assert.ok(!r.stdout.includes('\x1b') && !r.stderr.includes('\x1b'), 'escape codes off a TTY');
  });

  test('NO_COLOR=1 and --no-color give no escape codes', async () => {
    for (const [extra, env] of [[[], { NO_COLOR: '1' }], [['--no-color'], {}]]) {
      const r = await run([...args, ...extra], { env });
      assertCode(args, r, 1);
      assert.ok(!r.stdout.includes('\x1b') && !r.stderr.includes('\x1b'), `escape codes with ${JSON.stringify(env)} ${extra}`);
    }
  });

  // script(1) gives the binary a real TTY on stdout.
  const onTty = (argv, env) => run(['-qec', argv.map((a) => `'${a}'`).join(' '), '/dev/null'], { bin: 'script', env });

  test('on a TTY, NO_COLOR=1 and --no-color still give no escape codes', async () => {
    for (const [extra, env] of [[[], { NO_COLOR: '1', TERM: 'xterm-256color' }], [['--no-color'], { TERM: 'xterm-256color' }]]) {
      const r = await onTty([OPSCTL_BIN, ...args, ...extra], env);
      assertExited(['script', ...args], r);
      assert.match(r.stdout, /waiting/, `TTY run printed: ${r.stdout}${r.stderr}`);
      assert.ok(!r.stdout.includes('\x1b'), `escape codes on a TTY with ${JSON.stringify(env)} ${extra}: ${JSON.stringify(r.stdout)}`);
    }
  });

  test('-o json on a TTY is still plain JSON', async () => {
    const r = await onTty([OPSCTL_BIN, ...args, '-o', 'json'], { TERM: 'xterm-256color' });
    assertExited(['script'], r);
    assert.ok(!r.stdout.includes('\x1b'), 'escape codes inside JSON');
    assert.equal(JSON.parse(r.stdout.replace(/\r\n/g, '\n')).queue, 'q');
  });
});
