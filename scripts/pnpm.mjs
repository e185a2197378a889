// Runs the project's pinned pnpm without installing anything globally: `npm exec` keeps that version in
// npm's own cache and puts it on PATH for the command, so turbo and package scripts find the same pnpm.
// Usage: node scripts/pnpm.mjs <pnpm arguments…>
// (The pin is not in package.json's packageManager field: pnpm 12 then tries to resolve builds of itself
// for every platform from the registry, which fails intermittently.)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const version = manifest.devEngines.packageManager.version;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const res = spawnSync(
  npm,
  ['exec', '--yes', '--prefer-offline', `--package=pnpm@${version}`, '--', 'pnpm', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    shell: process.platform === 'win32',
  },
);
process.exit(res.status ?? 1);
