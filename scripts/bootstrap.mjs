// Installs what the README's commands need on a fresh clone with only Node and npm:
// the pinned pnpm and the workspace dependencies.
// (The pin lives here rather than in package.json's packageManager field: pnpm 12 then tries to resolve
// builds of itself for every platform from the registry, which fails intermittently.)
import { execSync } from 'node:child_process';

const root = new URL('..', import.meta.url);
const wanted = '12.21.0';

function run(cmd) {
  execSync(cmd, { stdio: 'inherit', cwd: root });
}

let current = '';
try {
  current = execSync('pnpm --version', { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
} catch {
  // not installed
}
if (current !== wanted) {
  console.log(`[bootstrap] installing pnpm@${wanted} (found ${current || 'none'})`);
  run(`npm install --global pnpm@${wanted}`);
}
run('pnpm install --frozen-lockfile --reporter=append-only');
