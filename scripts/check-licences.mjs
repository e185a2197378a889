// Licence check of the default production install: every package that `npm install @roboalign/<p>` brings in
// for the workspace's publishable packages (those not `private`), read by pnpm from the installed tree
// (`pnpm licenses list --prod --json`, offline: it reads node_modules, so run it after `pnpm install`).
// Fails, naming package, version and licence, on GPL, AGPL, LGPL without a permissive alternative, or an
// unknown licence; the rules and the reviewed exceptions are in scripts/licence-rules.mjs. When it passes it
// prints one line. `--list` prints every package and its licence too.
//
// Dev dependencies and optional peer dependencies (such as @napi-rs/webcodecs, which MP4 needs) are not part
// of the production install, so they are not checked. Platform packages (e.g. @img/sharp-libvips-<platform>)
// are seen for the platform this runs on.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { judgePackage, packagesFromPnpm } from './licence-rules.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const list = process.argv.includes('--list');

/** The workspace's package folders from pnpm-workspace.yaml (`dir/*` globs and plain folders). */
function workspaceFolders() {
  const yaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const folders = [];
  let inPackages = false;
  for (const line of yaml.split('\n')) {
    if (/^packages:\s*$/.test(line)) {
      inPackages = true;
      continue;
    }
    if (inPackages && /^\S/.test(line)) break;
    const entry = inPackages ? /^\s+-\s+['"]?([^'"#\s]+)['"]?/.exec(line) : null;
    if (!entry) continue;
    const pattern = entry[1].replace(/^\.\//, '');
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      for (const name of readdirSync(join(root, parent)).sort()) folders.push(`${parent}/${name}`);
    } else folders.push(pattern);
  }
  return folders.filter((folder) => existsSync(join(root, folder, 'package.json')));
}

const publishable = workspaceFolders()
  .map((folder) => ({
    folder,
    manifest: JSON.parse(readFileSync(join(root, folder, 'package.json'), 'utf8')),
  }))
  .filter(({ manifest }) => manifest.private !== true);
if (publishable.length === 0) {
  console.error('check-licences: no publishable (non-private) package found in pnpm-workspace.yaml');
  process.exit(2);
}

const pnpm = spawnSync(
  process.execPath,
  [
    join(root, 'scripts', 'pnpm.mjs'),
    ...publishable.flatMap(({ folder }) => ['--filter', `./${folder}`]),
    'licenses',
    'list',
    '--prod',
    '--json',
  ],
  { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
);
let json;
try {
  if (pnpm.status !== 0) throw new Error(`exit status ${pnpm.status}`);
  json = JSON.parse(pnpm.stdout);
} catch (error) {
  console.error(`check-licences: \`pnpm licenses list --prod --json\` failed (${error.message})`);
  console.error(`${pnpm.stderr ?? ''}${(pnpm.stdout ?? '').slice(0, 2000)}`.trim());
  console.error('check-licences: is the workspace installed? Run `node scripts/pnpm.mjs install` first.');
  process.exit(2);
}

const own = publishable.map(({ manifest }) => ({
  name: manifest.name,
  version: manifest.version,
  license: manifest.license,
}));
const dependencies = packagesFromPnpm(json);
if (dependencies.length === 0) {
  console.error('check-licences: pnpm listed no production dependencies; is the workspace installed?');
  process.exit(2);
}
const verdicts = [...own, ...dependencies].map((pkg) => ({ pkg, verdict: judgePackage(pkg) }));
if (list) {
  for (const { pkg, verdict } of verdicts) {
    const declared = verdict.declared !== verdict.licence ? ` (declared ${verdict.declared})` : '';
    console.log(
      `${verdict.ok ? 'ok     ' : 'REFUSED'} ${pkg.name}@${pkg.version}: ${verdict.licence}${declared}`,
    );
  }
}
const refused = verdicts.filter(({ verdict }) => !verdict.ok);
const reviewed = verdicts.filter(({ verdict }) => verdict.ok && verdict.class !== 'permissive');
const scope = `${verdicts.length} packages (${own.length} publishable workspace packages and ${dependencies.length} in their production install)`;
if (refused.length > 0) {
  for (const { pkg, verdict } of refused)
    console.error(`licence refused: ${pkg.name}@${pkg.version}: ${verdict.licence} (${verdict.reason})`);
  console.error(`licences: ${refused.length} of ${scope} refused; rules in scripts/licence-rules.mjs`);
  process.exit(1);
}
const exceptions = reviewed.map(({ pkg, verdict }) => `${pkg.name} ${verdict.licence}`).join(', ');
console.log(
  `licences: ${scope} checked, no GPL, AGPL, LGPL-only or unknown licence` +
    (reviewed.length > 0 ? ` (reviewed exceptions: ${exceptions})` : ''),
);
