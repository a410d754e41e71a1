// node --import tests/lib/compat-loader.mjs: with OPSCTL_BULLMQ_DIR set, the compat suites'
// `import ... from 'bullmq'` (and bullmq5, ioredis) resolve from that folder instead of
// tests/compat/node_modules, child node processes included (pass it in NODE_OPTIONS). Without the
// variable it changes nothing.
import { register } from 'node:module';

if (process.env.OPSCTL_BULLMQ_DIR) register('./compat-hooks.mjs', import.meta.url);
