// Where the compat suites load bullmq, bullmq5 and ioredis from: the pinned install in tests/compat
// (package.json + lock file), or, when OPSCTL_BULLMQ_DIR names another folder holding a package.json
// and its node_modules (tests/compat/latest/5 or 6, see scripts/compat-latest), that one.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');

export const COMPAT_DIR = process.env.OPSCTL_BULLMQ_DIR
  ? path.resolve(process.env.OPSCTL_BULLMQ_DIR) : path.join(repo, 'tests', 'compat');
export const COMPAT_PACKAGES = ['bullmq', 'bullmq5', 'ioredis'];

// require() from COMPAT_DIR (CommonJS; the ESM imports go through compat-loader.mjs).
export const requireCompat = createRequire(path.join(COMPAT_DIR, 'package.json'));
// A URL inside COMPAT_DIR to resolve bare specifiers from.
export const COMPAT_PARENT_URL = pathToFileURL(path.join(COMPAT_DIR, 'package.json')).href;

// The versions actually loaded: { bullmq: '6.7.6', bullmq5: '5.81.5', ioredis: '5.11.1' }.
export function compatVersions() {
  return Object.fromEntries(COMPAT_PACKAGES.map((p) => [p, requireCompat(`${p}/package.json`).version]));
}
