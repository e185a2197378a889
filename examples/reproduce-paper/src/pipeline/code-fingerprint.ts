import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The code a result came from: a hash of the sources and lockfile, and the git commit when there is one. */
export interface CodeFingerprint {
  /** sha256 (16 hex) of every source file the pipeline runs, and of the lockfile. */
  sources: string;
  /** `git rev-parse HEAD`, or null outside a git checkout. */
  commit: string | null;
  /** Whether tracked files outside the committed results folders differ from that commit (null outside git). */
  dirty: boolean | null;
}

const PRESETS_FILE = join('pipeline', 'presets.ts');
const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Hashes what decides a stage's output besides its configuration: every package's `src/` and
 * `package.json`, this example's `src/`, and `pnpm-lock.yaml`, in sorted path order. A hash of files rather
 * than the commit, so that a run's own results (inside the checkout) do not change it. The presets file
 * is left out: its values reach every stage's hash as that stage's configuration, so changing one stage's
 * budget does not rerun the others.
 */
export function codeFingerprint(root = repoRoot): CodeFingerprint {
  const packages = join(root, 'packages');
  const files = [
    ...readdirSync(packages).flatMap((p) => [
      ...filesUnder(join(packages, p, 'src')),
      join(packages, p, 'package.json'),
    ]),
    ...filesUnder(join(root, 'examples', 'reproduce-paper', 'src')).filter((f) => !f.endsWith(PRESETS_FILE)),
    join(root, 'pnpm-lock.yaml'),
  ]
    .filter(existsSync)
    .map((f) => relative(root, f))
    .sort();
  const h = createHash('sha256');
  for (const f of files)
    h.update(f)
      .update('\0')
      .update(readFileSync(join(root, f)))
      .update('\0');
  return { sources: h.digest('hex').slice(0, 16), ...gitState(root) };
}

function gitState(root: string): Pick<CodeFingerprint, 'commit' | 'dirty'> {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return {
      commit: git('rev-parse', 'HEAD'),
      // The committed results folders are outputs: a run that rewrites one leaves the code clean.
      dirty:
        git(
          'status',
          '--porcelain',
          '--untracked-files=no',
          '--',
          '.',
          ':(exclude)examples/reproduce-paper/results',
        ) !== '',
    };
  } catch {
    // Not a git checkout (an unpacked tarball) or no git installed: the source hash still identifies the code.
    return { commit: null, dirty: null };
  }
}
