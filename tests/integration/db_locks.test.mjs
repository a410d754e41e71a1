// db locks and the blocker verdict of db pool: a row-lock holder idle in its transaction with two
// waiters behind it, and a table lock with one waiter, held by real psql sessions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { assertCode, run, runJson, sleep } from '../lib/harness.mjs';
import { setup, usePostgres } from '../lib/servers.mjs';

const pg = usePostgres();

setup(async () => {
  await pg.sql('CREATE TABLE accounts (id int PRIMARY KEY, v int); INSERT INTO accounts VALUES (1, 0), (2, 0); ' +
    'CREATE TABLE ledger (id int); GRANT ALL ON accounts, ledger TO app');
});

const su = (args) => [[...args, '--pg', pg.superUrl], { env: pg.superEnv }];

// holder (idle in transaction, row 1 locked) <- 2 waiters; tabler (ACCESS EXCLUSIVE on ledger) <- 1 waiter.
async function chains() {
  pg.hold('holder', ['BEGIN;', 'UPDATE accounts SET v = v + 1 WHERE id = 1;']);
  const [holder] = await pg.waitSessions('holder', 'idle in transaction');
  pg.hold('waiter', ['UPDATE accounts SET v = v + 1 WHERE id = 1;']);
  pg.hold('waiter', ['UPDATE accounts SET v = v + 1 WHERE id = 1;']);
  const waiters = await pg.waitSessions('waiter', 'active', 2, { wait: 'Lock' });
  pg.hold('tabler', ['BEGIN;', 'LOCK TABLE ledger IN ACCESS EXCLUSIVE MODE;']);
  const [tabler] = await pg.waitSessions('tabler', 'idle in transaction');
  pg.hold('reader', ['SELECT count(*) FROM ledger;']);
  const [reader] = await pg.waitSessions('reader', 'active', 1, { wait: 'Lock' });
  return { holder, waiters, tabler, reader };
}

function flatten(node, out = []) {
  out.push(node.pid);
  for (const w of node.waiters) flatten(w, out);
  return out;
}

describe('db locks', () => {
  test('root blockers first, with their waiters, lock modes and relations', async () => {
    const { holder, waiters, tabler, reader } = await chains();
    const [args, opts] = su(['db', 'locks', '-o', 'json']);
    const r = await runJson(args, opts);
    assertCode(args, r, 0);
    assert.equal(r.json.root_blockers, 2);
    assert.equal(r.json.blocked, 3);
    const [first, second] = r.json.roots;
    assert.equal(first.pid, holder.pid);
    assert.equal(first.backend_start, holder.backend_start);
    assert.equal(first.state, 'idle in transaction');
    assert.equal(first.total_waiters, 2);
    assert.deepEqual(flatten(first).slice(1).sort(), waiters.map((w) => w.pid).sort());
    assert.ok(first.holds.some((h) => /^ExclusiveLock on transaction \d+$/.test(h)), JSON.stringify(first.holds));
    const direct = first.waiters[0];
    assert.match(direct.waiting_for, /^ShareLock on transaction \d+$/);

    assert.equal(second.pid, tabler.pid);
    assert.deepEqual(second.holds, ['AccessExclusiveLock on ledger']);
    assert.equal(second.waiters.length, 1);
    assert.equal(second.waiters[0].pid, reader.pid);
    assert.equal(second.waiters[0].waiting_for, 'AccessShareLock on ledger');
    assert.equal(second.waiters[0].query, 'SELECT count(*) FROM ledger;');
  });

  test('text: a tree per root blocker', async () => {
    const { holder, tabler, reader } = await chains();
    const [args, opts] = su(['db', 'locks']);
    const r = await run(args, opts);
    assertCode(args, r, 0);
    assert.match(r.stdout, /^2 root blockers hold 3 waiting sessions in /);
    assert.match(r.stdout, new RegExp(`^pid ${holder.pid}  idle in transaction \\S+  user=app app=holder  holds .*ExclusiveLock on transaction \\d+.*  blocks 2$`, 'm'));
    assert.match(r.stdout, new RegExp(`^pid ${tabler.pid}  idle in transaction .*holds AccessExclusiveLock on ledger  blocks 1$`, 'm'));
    assert.match(r.stdout, new RegExp(`^\`- pid ${reader.pid}  active .*waits for AccessShareLock on ledger$`, 'm'));
  });

  test('nothing waits: says so', async () => {
    const [args, opts] = su(['db', 'locks', '-o', 'json']);
    const r = await runJson(args, opts);
    assertCode(args, r, 0);
    assert.deepEqual(r.json.roots, []);
  });

  test('db pool: root blockers with waiters are critical; terminating the root frees its waiters', async () => {
    const { holder, waiters } = await chains();
    await sleep(200);  // every waiter now waits longer than --lock-wait
    const [args, opts] = su(['db', 'pool', '--lock-wait', '100ms', '-o', 'json']);
    const r = await runJson(args, opts);
    assertCode(args, r, 2);
    assert.equal(r.json.status, 'critical');
    assert.match(r.json.verdict, new RegExp(`^2 blockers holding 3 sessions; worst: pid ${holder.pid} \\(app, holder, idle in transaction for \\S+\\) holding 2 sessions$`));
    assert.deepEqual(r.json.blockers.map((b) => [b.pid, b.total_waiters]), [[holder.pid, 2], [r.json.blockers[1].pid, 1]]);
    const hint = `end the blocker: opsctl db terminate --pid ${holder.pid} --backend-start ${holder.backend_start}`;
    assert.ok(r.json.hints.includes(hint), JSON.stringify(r.json.hints));

    const [term, topts] = su(['db', 'terminate', '--pid', String(holder.pid), '--backend-start', holder.backend_start, '--yes']);
    const t = await run(term, topts);
    assertCode(term, t, 0);
    await pg.waitSessions('waiter', 'idle', 2);
    for (const w of waiters) assert.equal(await pg.alive(w.pid), true);
    const [after2, aopts] = su(['db', 'locks', '-o', 'json']);
    const a = await runJson(after2, aopts);
    assert.equal(a.json.root_blockers, 1);
    assert.equal(a.json.blocked, 1);
  });
});
