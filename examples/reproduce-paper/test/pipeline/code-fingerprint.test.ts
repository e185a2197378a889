import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { codeFingerprint } from '../../src/pipeline/code-fingerprint.js';

describe('codeFingerprint', () => {
  it('calls a checkout dirty when code differs from the commit, not when a run rewrote its results folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fingerprint-'));
    const files: Record<string, string> = {
      'packages/p/src/a.ts': 'export const a = 1;\n',
      'packages/p/package.json': '{}\n',
      'examples/reproduce-paper/src/main.ts': 'console.log(1);\n',
      'examples/reproduce-paper/results/quick/results.md': '# before\n',
      'pnpm-lock.yaml': 'lockfileVersion: 9\n',
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {
        cwd: root,
        stdio: 'ignore',
      });
    git('init', '-q');
    git('add', '-A');
    git('commit', '-qm', 'x');
    const clean = codeFingerprint(root);
    expect(clean.dirty).toBe(false);
    expect(clean.commit).toMatch(/^[0-9a-f]{40}$/);
    await writeFile(join(root, 'examples/reproduce-paper/results/quick/results.md'), '# after\n');
    expect(codeFingerprint(root)).toEqual(clean);
    await writeFile(join(root, 'packages/p/src/a.ts'), 'export const a = 2;\n');
    const edited = codeFingerprint(root);
    expect(edited.dirty).toBe(true);
    expect(edited.sources).not.toBe(clean.sources);
  });
});
