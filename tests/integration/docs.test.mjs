// The man page is lint-clean and documents every command the binary registers (the list comes from
// the binary's own completion of nouns and verbs, so a new verb without docs fails here).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

import { OPSCTL_BIN, REPO } from '../lib/harness.mjs';

const man = path.join(REPO, 'man', 'opsctl.1');
const complete = (...words) =>
  execFileSync(OPSCTL_BIN, ['__complete', ...words], { encoding: 'utf8' }).split('\n').filter(Boolean);

test('mandoc -T lint finds nothing in any man page, not even style notes', () => {
  const pages = readdirSync(path.join(REPO, 'man')).filter((f) => /\.[1-8]$/.test(f)).map((f) => path.join(REPO, 'man', f));
  assert.ok(pages.length >= 2, pages.join(','));
  const out = execFileSync('mandoc', ['-T', 'lint', '-W', 'style', ...pages], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  assert.equal(out, '');
});

test('every noun and verb of the binary has a section in opsctl(1)', () => {
  const text = readFileSync(man, 'utf8').replace(/\\-/g, '-');
  const missing = [];
  for (const noun of complete('')) {
    const verbs = complete(noun, '');
    if (verbs.length === 0) {
      if (!text.includes(`.SS opsctl ${noun}`)) missing.push(noun);
      continue;
    }
    for (const verb of verbs) {
      const documented = text.split('\n').some((line) =>
        line.startsWith(`.SS opsctl ${noun} `) && line.split(/[\s|]+/).slice(2, 8).includes(verb));
      if (!documented) missing.push(`${noun} ${verb}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('every Prometheus family opsctl can write is named in opsctl(1)', () => {
  const text = readFileSync(man, 'utf8').replace(/\\-/g, '-').replace(/\\_/g, '_');
  const catalog = readFileSync(path.join(REPO, 'lib', 'output', 'prom_catalog.cpp'), 'utf8');
  const families = [...catalog.matchAll(/\{"(opsctl_[a-z_]+)", "(gauge|counter)"/g)].map((m) => m[1]);
  assert.ok(families.length >= 30, `catalog parsed: ${families.length} families`);
  assert.deepEqual(families.filter((f) => !new RegExp(`\\b${f}\\b`).test(text)), []);
});
