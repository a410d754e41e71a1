// Every noun's and verb's --help shows the global flags (those of the root, which fall through to
// every command) in a "Global options:" section, as gh and kubectl show inherited flags; a
// command's own flags stay under "Options:" and are never listed twice.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { assertCode, REPO, run } from '../lib/harness.mjs';

const GLOBALS = ['--redis', '--prefix', '--pg', '--context', '--config', '--timeout', '--output', '--prom-file',
  '--no-color', '--audit-log', '--yes'];

// The names under "Subcommands:" of a help text.
function subcommands(help) {
  const out = [];
  let inside = false;
  for (const line of help.split('\n')) {
    if (line === 'Subcommands:') { inside = true; continue; }
    if (!inside) continue;
    const m = /^ {2}(\S+)/.exec(line);
    if (!m) break;
    out.push(m[1]);
  }
  return out;
}

async function help(words) {
  const args = [...words, '--help'];
  const r = await run(args);
  assertCode(args, r, 0);
  return r.stdout;
}

// Each section's flags: { 'Options': [...], 'Global options': [...] }.
function sections(text) {
  const out = {};
  let current;
  for (const line of text.split('\n')) {
    const head = /^([A-Z][\w ]*):$/.exec(line);
    if (head) { current = head[1]; out[current] = []; continue; }
    // The name column only ("  -o,--output TEXT   description"), not flags named in a description.
    const names = /^ {2}(\S+)/.exec(line);
    if (current && names) for (const n of names[1].split(',')) if (n.startsWith('--')) out[current].push(n);
  }
  return out;
}

test('every registered noun and verb lists the global flags under "Global options:"', async () => {
  const commands = [];
  for (const noun of subcommands(await help([]))) {
    commands.push([noun]);
    for (const verb of subcommands(await help([noun]))) commands.push([noun, verb]);
  }
  const verbs = commands.filter((c) => c.length === 2).map((c) => c.join(' '));
  // The list the help shows is the one the man page documents (docs.test checks each has a section).
  const man = readFileSync(path.join(REPO, 'man', 'opsctl.1'), 'utf8').replace(/\\-/g, '-');
  for (const v of ['queue inspect', 'queue retry', 'job show', 'job unstick', 'db pool', 'db terminate', 'runbook run',
    'config view']) {
    assert.ok(verbs.includes(v), `${v} not in the help's command list: ${verbs.join(', ')}`);
    assert.ok(man.includes(`.SS opsctl ${v.split(' ')[0]} `), v);
  }
  assert.ok(verbs.length >= 25, verbs.join(', '));

  for (const words of commands) {
    const text = await help(words);
    const name = words.join(' ');
    assert.ok(text.includes('\nGlobal options:\n'), `${name} --help has no Global options: ${text}`);
    assert.ok(text.includes('--redis') && text.includes('--output'), `${name} --help lacks --redis or --output`);
    const s = sections(text);
    const own = Object.entries(s).filter(([k]) => k !== 'Global options').flatMap(([, v]) => v);
    for (const flag of GLOBALS) {
      const listed = s['Global options'].filter((f) => f === flag).length + own.filter((f) => f === flag).length;
      assert.equal(listed, 1, `${name} --help lists ${flag} ${listed} times`);
    }
    for (const flag of s['Global options']) assert.ok(!own.includes(flag), `${name}: ${flag} twice`);
  }
});

test('health keeps its own repeatable --redis and --pg under Options, not as global ones', async () => {
  const s = sections(await help(['health']));
  assert.ok(s.Options.includes('--redis') && s.Options.includes('--pg'), JSON.stringify(s));
  assert.ok(!s['Global options'].includes('--redis') && s['Global options'].includes('--output'), JSON.stringify(s));
});

test('opsctl --help lists the global flags once, as its own options', async () => {
  const s = sections(await help([]));
  assert.ok(!('Global options' in s), JSON.stringify(Object.keys(s)));
  for (const flag of GLOBALS) assert.equal(s.Options.filter((f) => f === flag).length, 1, flag);
});
