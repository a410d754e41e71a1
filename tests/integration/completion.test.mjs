// Completion scripts loaded in real bash, zsh and fish, completing partial words through the
// binary's hidden __complete (nouns, verbs, flags, flag values, queue names from Redis).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';

import { OPSCTL_BIN, REPO, cleanEnv, run, seedMeta } from '../lib/harness.mjs';
import { setup, useRedis } from '../lib/servers.mjs';

const redis = useRedis();
setup(async () => {
  await seedMeta(redis, 'emails');
  await seedMeta(redis, 'reports');
});

// Runs a shell snippet with opsctl on PATH; resolves stdout lines.
function shell(bin, args, script) {
  const env = cleanEnv({ PATH: `${path.dirname(OPSCTL_BIN)}:${process.env.PATH}`, REDIS_URL: redis.url });
  return new Promise((resolve, reject) => {
    execFile(bin, [...args, script], { env, timeout: 20000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${bin}: ${err.message}\n${stderr}`));
      else resolve(stdout.split('\n').filter(Boolean));
    });
  });
}

const bash = (line) => shell('bash', ['-c'], `
  source <(opsctl completion bash)
  COMP_WORDS=(${line}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 ))
  [[ "${line}" == *" " ]] && { COMP_WORDS+=(""); COMP_CWORD=$(( COMP_CWORD + 1 )); }
  _opsctl; printf '%s\\n' "\${COMPREPLY[@]}"`);

// zsh: the real script, with compadd replaced by a printer (the completion widget needs a terminal).
const zsh = (line) => shell('zsh', ['-f', '-c'], `
  compdef() { :; }
  compadd() { print -l -- "\${(@P)2}"; }
  source <(opsctl completion zsh)
  words=(${line}); [[ "${line}" == *" " ]] && words+=(""); CURRENT=\${#words}
  _opsctl`);

const fish = (line) => shell('fish', ['-c'], `opsctl completion fish | source; complete -C '${line}'`);

const shells = { bash, zsh, fish };

describe('completion scripts', () => {
  for (const [name, complete] of Object.entries(shells)) {
    test(`${name}: nouns, verbs, flags, flag values and queue names`, async () => {
      const first = (await complete('opsctl qu')).map((l) => l.split('\t')[0]);
      assert.ok(first.includes('queue'), first.join(','));
      const verbs = (await complete('opsctl queue ins')).map((l) => l.split('\t')[0]);
      assert.ok(verbs.includes('inspect'), verbs.join(','));
      const flags = (await complete('opsctl queue inspect emails --sta')).map((l) => l.split('\t')[0]);
      assert.ok(flags.includes('--state'), flags.join(','));
      const values = (await complete('opsctl queue inspect emails --state fa')).map((l) => l.split('\t')[0]);
      assert.ok(values.includes('failed'), values.join(','));
      const queues = (await complete('opsctl queue inspect ')).map((l) => l.split('\t')[0]);
      assert.ok(queues.includes('emails') && queues.includes('reports'), queues.join(','));
      const formats = (await complete('opsctl health -o ')).map((l) => l.split('\t')[0]);
      assert.deepEqual(formats.filter((f) => ['text', 'json', 'nagios', 'prom'].includes(f)).sort(),
        ['json', 'nagios', 'prom', 'text']);
    });
  }

  test('an unknown shell is a usage error', async () => {
    const { run } = await import('../lib/harness.mjs');
    const r = await run(['completion', 'tcsh']);
    assert.equal(r.code, 64);
  });
});

// completions/ is what gets installed and packaged (CMakeLists.txt installs it from the source tree):
// it must be exactly what this binary prints.
describe('committed completion scripts', () => {
  const files = { bash: 'opsctl', zsh: '_opsctl', fish: 'opsctl.fish' };
  for (const [name, file] of Object.entries(files)) {
    test(`completions/${file} is what \`opsctl completion ${name}\` prints`, async () => {
      const r = await run(['completion', name]);
      assert.equal(r.code, 0, r.stderr);
      const committed = readFileSync(path.join(REPO, 'completions', file), 'utf8');
      assert.ok(committed === r.stdout,
        `completions/${file} differs from \`opsctl completion ${name}\`: ` +
        'run scripts/update-completions (after building opsctl) and commit completions/');
    });
  }
});
