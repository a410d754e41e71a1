// Which BullMQ the compat suites ran against (the pinned install, or OPSCTL_BULLMQ_DIR's newest 5.x
// or 6.x, see scripts/compat-latest): printed into the test log, and checked to be what the suites load.
import assert from 'node:assert/strict';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { COMPAT_DIR, compatVersions } from '../lib/compat-modules.mjs';

test('the BullMQ the compat suites load', async (t) => {
  const versions = compatVersions();
  t.diagnostic(`compat packages from ${path.relative(process.cwd(), COMPAT_DIR) || '.'}: ` +
    Object.entries(versions).map(([p, v]) => `${p} ${v}`).join(', '));
  assert.match(versions.bullmq5, /^5\./);
  // What `import 'bullmq'` in a suite resolves to is the package whose version was reported.
  for (const name of ['bullmq', 'bullmq5']) {
    const url = import.meta.resolve(name);
    const modules = realpathSync(path.join(COMPAT_DIR, 'node_modules'));
    assert.ok(realpathSync(fileURLToPath(url)).startsWith(modules + path.sep), `${name} resolved to ${url}, not in ${modules}`);
    const req = createRequire(path.join(COMPAT_DIR, 'package.json'));
    assert.equal(req(`${name}/package.json`).version, versions[name]);
  }
});
