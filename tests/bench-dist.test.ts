// The built @roboalign/bench starts its evaluation workers (dist/worker.js) from both entry points.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const dist = resolve(import.meta.dirname, '../packages/bench/dist');
/** Runs an ES module script in a fresh Node process (outside vitest's module loader). */
function run(code: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-dist-')), 'script.mjs');
  writeFileSync(file, code);
  return execFileSync('node', [file], { encoding: 'utf8', timeout: 60_000 });
}

describe('the built @roboalign/bench', () => {
  it('evaluates in worker threads from the ESM and the CommonJS entry', () => {
    const options = '{ trials: 1, tasks: [0, 3], workers: 2, progress: false }';
    const esm = run(`const { evaluate } = await import(${JSON.stringify(join(dist, 'index.js'))});
      const r = await evaluate('expert', 'libero-goal', ${options}); console.log(r.successRate, r.episodes.length);`);
    const cjs = run(`import { createRequire } from 'node:module';
      const { evaluate } = createRequire(import.meta.url)(${JSON.stringify(join(dist, 'index.cjs'))});
      const r = await evaluate('expert', 'libero-goal', ${options}); console.log(r.successRate, r.episodes.length);`);
    expect(esm.trim()).toBe('1 2');
    expect(cjs.trim()).toBe('1 2');
  }, 120_000);
});
