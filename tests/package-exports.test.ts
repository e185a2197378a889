// Every published package builds to ESM + CJS + .d.ts with an exports map, and both entry points agree.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const packages = readdirSync(join(root, 'packages')).filter((name) =>
  existsSync(join(root, 'packages', name, 'package.json')),
);

describe.each(packages)('@roboalign/%s', (name) => {
  const dir = join(root, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));

  it('declares a publishable package', () => {
    expect(pkg.name).toBe(`@roboalign/${name}`);
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.exports['.'].import.default).toBe('./dist/index.js');
    expect(pkg.exports['.'].require.default).toBe('./dist/index.cjs');
    for (const file of ['README.md', 'CHANGELOG.md']) expect(existsSync(join(dir, file))).toBe(true);
  });

  it('ships ESM, CJS and type declarations that export the same names', async () => {
    for (const file of ['dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts']) {
      expect(existsSync(join(dir, file)), `${file} (run the build first)`).toBe(true);
    }
    const esm = await import(pathToFileURL(join(dir, 'dist/index.js')).href);
    const cjs = createRequire(import.meta.url)(join(dir, 'dist/index.cjs'));
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
    expect(Object.keys(esm).length).toBeGreaterThan(0);
  });
});

const fastPlus = resolve(root, '../shared/fast-plus');
describe.skipIf(!existsSync(fastPlus))('the built roboalign-fast binary', () => {
  it('encodes and decodes through pipes', () => {
    const bin = join(root, 'packages/fast-tokenizer/dist/cli.js');
    const chunk = {
      actions: [
        [0.1, 0.2],
        [0.15, 0.1],
        [0.2, 0.0],
      ],
    };
    const ids = execFileSync('node', [bin, 'encode', '--tokenizer', fastPlus], {
      input: `${JSON.stringify(chunk)}\n`,
    });
    expect(JSON.parse(ids.toString()).ids.length).toBeGreaterThan(0);
    const back = execFileSync(
      'node',
      [bin, 'decode', '--tokenizer', fastPlus, '--horizon', '3', '--dim', '2'],
      {
        input: ids,
      },
    );
    const line = JSON.parse(back.toString());
    expect(line.ok).toBe(true);
    expect(line.actions[0][0]).toBeCloseTo(0.1, 1);
  });
});
