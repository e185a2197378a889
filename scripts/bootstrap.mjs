// Installs what the README's commands need on a fresh clone with only Node and npm:
// the pinned pnpm (from package.json's packageManager field) and the workspace dependencies.
import { execSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const { packageManager } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const wanted = packageManager.replace(/^pnpm@/, '');

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
