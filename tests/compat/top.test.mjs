// opsctl top in a real terminal (tmux on a private socket) against a real Redis with a BullMQ Worker
// processing and failing jobs: rates move between frames, the drill-down groups failures by reason,
// retrying a reason after confirming changes the queue, read_only refuses, q exits 0 and restores the
// terminal, a resize redraws, and a Redis stopped mid-view shows staleness and recovers.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';

import { Queue, Worker } from 'bullmq';

import { HOST, OPSCTL_BIN, cleanEnv, freePort, sleep, tempDir, waitFor } from '../lib/harness.mjs';
import { usePostgres, useRedis } from '../lib/servers.mjs';

const exec = promisify(execFile);
const redis = useRedis({ maxmemoryPolicy: 'noeviction' });
const SOCKET = `opsctl-top-${process.pid}`;
const tmux = async (...args) => (await exec('tmux', ['-L', SOCKET, ...args])).stdout;
after(async () => { await tmux('kill-server').catch(() => {}); });

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

// Starts opsctl in a new tmux window of 120x40 (a real terminal); the shell prints EXIT=<code> after.
async function startView(name, args, env = {}) {
  const vars = Object.entries(cleanEnv({ TERM: 'xterm-256color', ...env })).map(([k, v]) => `${k}=${quote(v)}`);
  const cmd = `env -i ${vars.join(' ')} ${quote(OPSCTL_BIN)} ${args.map(quote).join(' ')}; echo EXIT=$?; sleep 600`;
  await tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '40', cmd);
  const screen = () => tmux('capture-pane', '-p', '-t', name);
  return {
    screen,
    keys: (...k) => tmux('send-keys', '-t', name, ...k),
    // Polls the screen until re matches (a deadline, never a fixed sleep as the assertion).
    until: (re, what = String(re), timeoutMs = 15000) =>
      waitFor(async () => { const s = await screen(); return re.test(s) ? s : null; }, { timeoutMs, intervalMs: 100, what })
        .catch(async (e) => { throw new Error(`${e.message}\n--- screen ---\n${await screen()}`); }),
    close: () => tmux('kill-session', '-t', name).catch(() => {}),
  };
}

// A queue with a worker that fails the jobs whose data says so, with that reason.
async function busyQueue(prefix, name) {
  const connection = redis.connection;
  const q = new Queue(name, { connection, prefix });
  redis.closers.push(q);
  const w = new Worker(name, async (job) => {
    if (job.data.fail) throw new Error(job.data.fail);
    return 'ok';
  }, { connection, prefix, concurrency: 5 });
  redis.closers.push(w);
  let n = 0;
  const timer = setInterval(() => {
    const reasons = [undefined, undefined, 'SMTP 421 try again later', undefined, 'timeout after 30s', 'SMTP 421 try again later'];
    q.addBulk(reasons.map((fail) => ({ name: 'send', data: { n: n++, fail } }))).catch(() => {});
  }, 200);
  return { q, w, stop: () => clearInterval(timer) };
}

// The cell of a column in the row of a queue, read from the header's positions.
function cell(screen, queue, column) {
  const rows = screen.split('\n');
  const head = rows.find((l) => l.startsWith('QUEUE'));
  const row = rows.find((l) => l.startsWith(queue + ' '));
  if (!head || !row) return null;
  const end = head.indexOf(column) + column.length;
  return row.slice(0, end).trim().split(/\s+/).at(-1);
}

describe('opsctl top in tmux', () => {
  test('rates move between frames; the drill-down groups failures; retrying a reason after confirming changes the queue; q exits 0', async () => {
    const P = 'toplive';
    const { q, w, stop } = await busyQueue(P, 'mail');
    const audit = path.join(tempDir('top-audit'), 'audit.jsonl');
    const v = await startView('live', ['--redis', redis.url, '--prefix', P, '--audit-log', audit, 'top', '--interval', '500ms']);
    try {
      await v.until(/^mail\s/m, 'the mail row');
      const seen = new Set();
      await waitFor(async () => { seen.add(cell(await v.screen(), 'mail', 'DONE/m')); return seen.size >= 3; },
        { timeoutMs: 15000, intervalMs: 200, what: 'DONE/m changing between frames' });
      stop();
      await w.close();  // retried jobs then stay waiting, where the test can count them
      const failedBefore = await q.getFailedCount();
      assert.ok(failedBefore > 0);
      await v.keys('Enter');
      await v.until(/FAILURES BY REASON[\s\S]*SMTP 421 try again later[\s\S]*timeout after 30s|FAILURES BY REASON[\s\S]*timeout after 30s[\s\S]*SMTP 421 try again later/, 'both reasons');
      // Put the cursor on the SMTP reason (reasons are listed most first).
      const screen = await v.screen();
      const reasonLines = screen.split('\n').filter((l) => /^[> ] (SMTP 421|timeout after)/.test(l));
      const index = reasonLines.findIndex((l) => l.includes('SMTP 421'));
      for (let i = 0; i < index; i++) await v.keys('Down');
      await v.until(/^> SMTP 421/m, 'the SMTP reason selected');
      await v.keys('j');
      await v.until(/^job \d+ send failed attempts \d+: SMTP 421 try again later/m, 'the newest job of the reason');
      const smtp = (await q.getFailed(0, -1)).filter((j) => j.failedReason.startsWith('SMTP 421')).length;
      assert.ok(smtp > 0);
      await v.keys('r');
      await v.until(/About to retry \d+ failed jobs with reason "SMTP 421 try again later"[\s\S]*Proceed\? \[y\/N\]/, 'the confirmation');
      await v.keys('y', 'Enter');
      await v.until(/Done: retry \d+ of \d+ matched/, 'the outcome line');
      const left = (await q.getFailed(0, -1)).filter((j) => j.failedReason.startsWith('SMTP 421')).length;
      assert.equal(left, 0);
      assert.equal(await q.getFailedCount(), failedBefore - smtp);
      assert.ok((await q.getWaitingCount()) >= smtp);
      await v.keys('Escape');
      await v.until(/^QUEUE/m, 'back on the queues tab');
      await v.keys('q');
      const end = await v.until(/EXIT=\d+/, 'the exit line');
      assert.match(end, /EXIT=0/);
      assert.doesNotMatch(end, /opsctl top \[/);  // the alternate screen is gone: the terminal is restored
      assert.equal((await tmux('display-message', '-p', '-t', 'live', '#{alternate_on}')).trim(), '0');
    } finally {
      stop();
      await v.close();
    }
  });

  test('read_only: the action keys are disabled and say why; nothing changes', async () => {
    const P = 'topro';
    const q = new Queue('ro', { connection: redis.connection, prefix: P });
    redis.closers.push(q);
    const w = new Worker('ro', async () => { throw new Error('boom'); }, { connection: redis.connection, prefix: P });
    await q.addBulk([1, 2, 3].map((n) => ({ name: 'x', data: { n } })));
    await waitFor(async () => (await q.getFailedCount()) === 3, { what: '3 failed' });
    await w.close();
    const dir = tempDir('top-ro');
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, `current-context: cron\ncontexts:\n  - name: cron\n    redis: ${redis.url}\n    prefix: ${P}\n    read_only: true\n`, { mode: 0o600 });
    const v = await startView('ro', ['--config', config, 'top', '--interval', '500ms']);
    try {
      await v.until(/read-only: context cron is read_only/, 'the read-only status line');
      await v.until(/^ro\s+OK\s+0\s+0\s+0\s+3\s/m, 'the ro row');  // Enter needs a row to drill into
      await v.keys('Enter');
      await v.until(/FAILURES BY REASON[\s\S]*boom/, 'the reason');
      await v.keys('r');
      await v.until(/read-only: context cron is read_only: actions are disabled/, 'the refusal');
      assert.doesNotMatch(await v.screen(), /Proceed\?/);
      assert.equal(await q.getFailedCount(), 3);
      await v.keys('q');
      await v.until(/EXIT=0/, 'exit 0');
    } finally {
      await v.close();
    }
  });

  test('j opens the job view: every job show field of the reason\'s newest job, scrolling, n/p through the reason\'s jobs, j and Esc back', async () => {
    const P = 'topjob';
    const q = new Queue('pay', { connection: redis.connection, prefix: P });
    redis.closers.push(q);
    const w = new Worker('pay', async (job) => {
      await job.log(`charging card ${job.data.n}`);
      throw new Error('card declined');
    }, { connection: redis.connection, prefix: P, concurrency: 1 });
    for (const n of [1, 2, 3]) {
      await q.add('charge', { n, receipt: 'r'.repeat(6000) });  // about 50 rows at 120 columns: the end needs scrolling
      await waitFor(async () => (await q.getFailedCount()) === n, { what: `${n} failed` });
    }
    await w.close();
    const [newest, middle] = await q.getFailed(0, 1);  // newest first, as the view lists them
    const v = await startView('job', ['--redis', redis.url, '--prefix', P, 'top', '--interval', '500ms']);
    try {
      await v.until(/^pay\s/m, 'the pay row');
      await v.keys('Enter');
      await v.until(/FAILURES BY REASON[\s\S]*card declined/, 'the reason');
      await v.keys('j');
      let s = await v.until(new RegExp(`^job ${newest.id} charge failed attempts 1: card declined`, 'm'), 'the newest job of the reason');
      assert.match(s, /\[job \S+ of pay\]/);
      assert.match(s, /^job 1 of 3 with reason "card declined" \(newest first\)/m);
      assert.match(s, new RegExp(`^Job: +${P}:pay:${newest.id}$`, 'm'));
      assert.match(s, /^Name: +charge$/m);
      assert.match(s, /^State: +failed$/m);
      assert.match(s, /^Attempts: +1 made/m);
      assert.match(s, /^Failed: +card declined$/m);
      assert.match(s, /^Data: +\{"n":3,"receipt":"rrrr/m);
      assert.doesNotMatch(s, /^Logs \(/m);  // below the screen until scrolled
      assert.doesNotMatch(s, /FAILURES BY REASON/);
      await waitFor(async () => { await v.keys('NPage'); return /^Logs \(1 lines, last 1 shown\):\n  charging card 3/m.test(await v.screen()); },
        { timeoutMs: 15000, intervalMs: 300, what: 'the logs after scrolling down' });
      s = await v.screen();
      assert.match(s, /^Stacktrace \(last attempt\):\n  Error: card declined/m);
      await v.keys('?');
      await v.until(/opsctl top: keys/, 'the help over the job view');
      await v.keys('?');
      await v.until(/^job 1 of 3 with reason/m, 'back in the job view after the help');
      await v.keys('p');
      s = await v.until(/^job 2 of 3 with reason/m, 'the older job');
      await v.until(new RegExp(`^job ${middle.id} charge failed attempts 1: card declined`, 'm'), 'the older job\'s fields');
      await v.until(/^Data: +\{"n":2,/m, 'the older job\'s data, from the top again');
      await v.keys('n');
      await v.until(new RegExp(`^job ${newest.id} charge failed`, 'm'), 'the newest again');
      await v.keys('j');
      await v.until(/FAILURES BY REASON[\s\S]*card declined/, 'back in the drill-down with j');
      await v.keys('j');
      await v.until(/^job 1 of 3 with reason/m, 'the job view again');
      await v.keys('Escape');
      await v.until(/FAILURES BY REASON/, 'Esc goes back to the drill-down first');
      await v.keys('Escape');
      await v.until(/^QUEUE/m, 'then to the queues');
      assert.equal(await q.getFailedCount(), 3);  // looking changes nothing
      await v.keys('q');
      await v.until(/EXIT=0/, 'exit 0');
    } finally {
      await v.close();
    }
  });

  test('Ctrl-C inside a confirmation dialog ends the view at once with nothing changed; the terminal is restored', async () => {
    const P = 'topctrlc';
    const q = new Queue('cc', { connection: redis.connection, prefix: P });
    redis.closers.push(q);
    const w = new Worker('cc', async () => { throw new Error('gateway timeout'); }, { connection: redis.connection, prefix: P });
    await q.addBulk([1, 2, 3, 4].map((n) => ({ name: 'x', data: { n } })));
    await waitFor(async () => (await q.getFailedCount()) === 4, { what: '4 failed' });
    await w.close();
    const audit = path.join(tempDir('top-ctrlc'), 'audit.jsonl');
    const v = await startView('ctrlc', ['--redis', redis.url, '--prefix', P, '--audit-log', audit, 'top', '--interval', '500ms']);
    try {
      await v.until(/^cc\s/m, 'the cc row');
      await v.keys('Enter');
      await v.until(/FAILURES BY REASON[\s\S]*gateway timeout/, 'the reason');
      await v.keys('r');
      await v.until(/About to retry 4 failed jobs with reason "gateway timeout"[\s\S]*Proceed\? \[y\/N\]/, 'the confirmation');
      await v.keys('C-c');
      const end = await v.until(/EXIT=\d+/, 'the view ending without another key', 3000);
      assert.match(end, /EXIT=0/);
      assert.equal((await tmux('display-message', '-p', '-t', 'ctrlc', '#{alternate_on}')).trim(), '0');
      assert.equal(await q.getFailedCount(), 4);
      assert.equal(await q.getWaitingCount(), 0);
      const lines = (() => { try { return readFileSync(audit, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)); } catch { return []; } })();
      assert.ok(lines.every((l) => !l.changed), JSON.stringify(lines));
    } finally {
      await v.close();
    }
  });

  test('NO_COLOR and --no-color: no colour in the terminal; without them the verdicts are coloured', async () => {
    const P = 'topcolor';
    const q = new Queue('hue', { connection: redis.connection, prefix: P });
    redis.closers.push(q);
    await q.add('x', {});
    // capture-pane -e keeps the escape sequences; a foreground colour is SGR 30-37, 90-97 or 38;...
    const colour = /\x1b\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])(?:;[0-9;]*)?m/;
    const runs = [['plain', [], {}], ['nocolor-env', [], { NO_COLOR: '1' }], ['nocolor-flag', ['--no-color'], {}]];
    const views = [];
    try {
      for (const [name, flags, env] of runs) {
        const v = await startView(name, ['--redis', redis.url, '--prefix', P, ...flags, 'top', '--interval', '500ms'], env);
        views.push(v);
        await v.until(/^hue\s+OK/m, `the hue row (${name})`);
        const raw = await tmux('capture-pane', '-e', '-p', '-t', name);
        if (name === 'plain') assert.match(raw, colour, 'colour without NO_COLOR');
        else assert.doesNotMatch(raw, colour, `no colour with ${name}`);
        assert.match(raw, /\x1b\[[0-9;]*7[0-9;]*m/, 'the selected row stays in reverse video');
        await v.keys('q');
        await v.until(/EXIT=0/, 'exit 0');
      }
    } finally {
      for (const v of views) await v.close();
    }
  });

  test('the drill-down shows an active job whose lock is gone; u requeues it after confirming', async () => {
    const P = 'topstuck';
    const q = new Queue('stuck', { connection: redis.connection, prefix: P });
    redis.closers.push(q);
    let started;
    const running = new Promise((r) => { started = r; });
    const w = new Worker('stuck', async () => { started(); await new Promise(() => {}); }, { connection: redis.connection, prefix: P });
    const job = await q.add('long', {});
    await running;
    await w.close(true);  // the worker is gone: the job stays active
    // A lock extension already in flight when the worker closed may land after a first DEL: delete
    // until the lock stays gone.
    const lock = `${P}:stuck:${job.id}:lock`;
    let gone = 0;
    await waitFor(async () => { await redis.io.del(lock); await sleep(50); gone = (await redis.io.exists(lock)) ? 0 : gone + 1; return gone >= 5; },
      { what: 'the lock to stay gone' });
    const audit = path.join(tempDir('top-stuck'), 'audit.jsonl');
    const v = await startView('stuck', ['--redis', redis.url, '--prefix', P, '--audit-log', audit, 'top', '--interval', '500ms']);
    try {
      await v.until(/^stuck\s/m, 'the stuck row');
      await v.keys('Enter');
      await v.until(new RegExp(`ACTIVE \\(1 shown\\)[\\s\\S]*  ${job.id}  long  \\S+  NO LOCK`), 'the active job without a lock');
      await v.keys('u');
      await v.until(/About to requeue 1 stuck active jobs \(no lock\)[\s\S]*Proceed\? \[y\/N\]/, 'the confirmation');
      await v.keys('y', 'Enter');
      await v.until(/Done: requeue 1 of 1 matched stuck active jobs/, 'the outcome');
      assert.equal(await (await q.getJob(job.id)).getState(), 'waiting');
      await v.keys('q');
      await v.until(/EXIT=0/, 'exit 0');
    } finally {
      await v.close();
    }
  });

  test('a resize redraws for the new size; 80 columns drop the least useful columns', async () => {
    const P = 'topresize';
    const q = new Queue('wide', { connection: redis.connection, prefix: P });
    redis.closers.push(q);
    await q.add('x', {});
    const v = await startView('resize', ['--redis', redis.url, '--prefix', P, 'top', '--interval', '500ms']);
    try {
      await v.until(/^QUEUE .*P95.*FINDING/m, 'every column at 120');
      await tmux('resize-window', '-t', 'resize', '-x', '80', '-y', '24');
      const s = await v.until(/^QUEUE .*FAIL\/m/m, 'the header at 80');
      await waitFor(async () => !/P95/.test(await v.screen()), { what: 'P95 dropped at 80 columns' });
      for (const l of s.split('\n')) assert.ok(l.length <= 80, l);
      await v.keys('q');
      await v.until(/EXIT=0/, 'exit 0');
    } finally {
      await v.close();
    }
  });

  test('Redis stopped mid-view: STALE with the age and the error, keys still answered; recovers when it returns', async () => {
    const port = await freePort();
    const dir = tempDir('top-redis');
    const start = () => spawn('redis-server', ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
    let server = start();
    const url = `redis://${HOST}:${port}`;
    const cli = (...a) => exec('redis-cli', ['-h', HOST, '-p', String(port), ...a]).then((r) => r.stdout.trim());
    await waitFor(() => cli('PING').then((r) => r === 'PONG', () => false), { what: 'redis up' });
    await cli('HSET', 'bull:solo:meta', 'opts.maxLenEvents', '10000');
    await cli('RPUSH', 'bull:solo:wait', '1');
    const v = await startView('stale', ['--redis', url, '--timeout', '1s', 'top', '--interval', '500ms']);
    try {
      await v.until(/^solo\s/m, 'the solo row');
      await v.until(/updated \S+ ago/, 'fresh data');
      server.kill('SIGKILL');
      await v.until(/STALE: last data \S+ ago \(.*connection refused.*\)/, 'staleness with the error');
      assert.match(await v.screen(), /^solo\s/m);  // the last data stays on screen
      await v.keys('?');
      await v.until(/opsctl top: keys/, 'help while Redis is down');
      await v.keys('Escape');
      server = start();
      await v.until(/updated \S+ ago/, 'recovered after the restart', 20000);
      await v.keys('q');
      await v.until(/EXIT=0/, 'exit 0');
    } finally {
      server.kill('SIGKILL');
      await v.close();
    }
  });
});

describe('opsctl top actions on a paused queue and on PostgreSQL', () => {
  const pg = usePostgres();

  test('R resumes the selected paused queue after confirming and typing the confirm: true context\'s name', async () => {
    const P = 'topresume';
    const q = new Queue('held', { connection: redis.connection, prefix: P });
    redis.closers.push(q);
    await q.add('x', {});
    await q.pause();
    const dir = tempDir('top-resume');
    const audit = path.join(dir, 'audit.jsonl');
    const config = path.join(dir, 'config.yaml');
    writeFileSync(config, `current-context: prod\ncontexts:\n  - name: prod\n    redis: ${redis.url}\n    prefix: ${P}\n    confirm: true\n`, { mode: 0o600 });
    const v = await startView('resume', ['--config', config, '--audit-log', audit, 'top', '--interval', '500ms']);
    try {
      await v.until(/^held \(paused\)/m, 'the paused row');
      await v.keys('R');
      await v.until(/About to resume 1 paused queue[\s\S]*Proceed\? \[y\/N\]/, 'the confirmation');
      await v.keys('y', 'Enter');
      await v.until(/Context prod asks for confirmation: type its name to continue/, 'the typed confirmation');
      await v.keys('p', 'r', 'o', 'd', 'Enter');
      await v.until(/Done: resume 1 of 1 matched paused queue/, 'the outcome');
      assert.equal(await q.isPaused(), false);
      await v.until(/^held\s+OK/m, 'the row no longer paused');
      const line = JSON.parse(readFileSync(audit, 'utf8').trim().split('\n').at(-1));
      assert.equal(line.action, 'queue.resume');
      assert.equal(line.changed, 1);
      await v.keys('q');
      await v.until(/EXIT=0/, 'exit 0');
    } finally {
      await v.close();
    }
  });

  test('the db tab lists a leaked transaction; t terminates it after confirming (pid AND backend_start)', async () => {
    pg.hold('leaky-top', ['BEGIN;', 'SELECT 1;']);
    const [leak] = await pg.waitSessions('leaky-top', 'idle in transaction');
    const P = 'topdb';
    const q = new Queue('any', { connection: redis.connection, prefix: P });
    redis.closers.push(q);
    await q.add('x', {});
    const audit = path.join(tempDir('top-db'), 'audit.jsonl');
    const v = await startView('db', ['--redis', redis.url, '--prefix', P, '--pg', pg.superUrl, '--audit-log', audit,
      'top', '--interval', '500ms', '--idle-tx', '1s'], pg.superEnv);
    try {
      await v.until(/^any\s/m, 'the queue row');
      await v.keys('Tab');
      await v.until(new RegExp(`IDLE IN TRANSACTION \\(1\\)[\\s\\S]*> +${leak.pid} `), 'the leaked session selected');
      await v.keys('t');
      await v.until(/About to terminate 1 session \(pid \d+\)[\s\S]*Proceed\? \[y\/N\]/, 'the confirmation');
      await v.keys('y', 'Enter');
      await v.until(/Done: terminate 1 of 1 matched session/, 'the outcome');
      await waitFor(async () => !(await pg.alive(leak.pid)), { what: 'the session to end' });
      await v.keys('Escape');
      await v.until(/^QUEUE/m, 'back on the queues tab');
      await v.keys('q');
      await v.until(/EXIT=0/, 'exit 0');
    } finally {
      await v.close();
    }
  });
});
