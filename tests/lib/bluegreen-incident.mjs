// A blue-green incident for the demo: nginx in front of two backends (tests/lib/nginx.mjs), blue
// live and broken, green healthy. Prints shell exports for the rollback runbook's parameters and
// "ready", then keeps everything up until it gets SIGTERM or SIGINT.
//
//   node tests/lib/bluegreen-incident.mjs [--down blue|green|both|none]   (default: blue)
import { startBlueGreen } from './nginx.mjs';

const i = process.argv.indexOf('--down');
const down = i > 0 ? process.argv[i + 1] : 'blue';
if (!['blue', 'green', 'both', 'none'].includes(down)) {
  console.error('usage: bluegreen-incident.mjs [--down blue|green|both|none]');
  process.exit(64);
}
const bg = await startBlueGreen();
bg.blue.healthy = !(down === 'blue' || down === 'both');
bg.green.healthy = !(down === 'green' || down === 'both');
const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
console.log(`export BG_STATE_FILE=${q(bg.stateFile)}`);
console.log(`export BG_LIVE_URL=${q(bg.liveUrl)}`);
console.log(`export BG_BLUE_URL=${q(bg.blue.url)}`);
console.log(`export BG_GREEN_URL=${q(bg.green.url)}`);
console.log(`export BG_SWITCH_COMMAND=${q(`${process.execPath} ${bg.switchScript} {to}`)}`);
console.log('ready');
const stop = async () => {
  await bg.stop();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setInterval(() => {}, 1 << 30);
