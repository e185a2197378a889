/**
 * Whole-process throughput of the built `roboalign-fast` CLI on 20,000 chunks of 10 × 7 (JSON Lines in and
 * out, files), against the Python reference's in-memory time (scipy DCT + Rust BPE, figures below).
 * Build first (`pnpm --filter @roboalign/fast-tokenizer build`), then:
 *
 *   tsx bench/cli.bench.ts [rounds]
 *
 * Prints one JSON line per command with the median and best wall time of `rounds` runs (default 5) and the
 * speed relative to the reference (reference time / our time; the target is at least 2).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { mulberry32, smoothChunk } from '../test/helpers/random.js';

/**
 * The Python reference's in-memory times for the same 20,000 chunks, in seconds, on the development machine
 * (Intel Xeon, 2 cores shared with other jobs). Python's `tokenizers` cannot be installed there (no PyPI),
 * so they are derived from issue #12's statement that the CLI before this work ran encode at 1.61× and
 * decode at 0.55× the reference's speed: reference = that CLI's median wall time there (2.51 s and 1.73 s,
 * 9 interleaved runs) × the ratio. docs/benchmarks.md has the measurement and a partial Python check
 * (bench/python_reference_partial.py: everything but the BPE).
 */
const REFERENCE_SECONDS = { encode: 4.04, decode: 0.95 };

const rounds = Number(process.argv[2] ?? 5);
const cli = resolve(import.meta.dirname, '../dist/cli.js');
const fastPlus = resolve(import.meta.dirname, '../../../../shared/fast-plus');
for (const [what, path] of [
  ['the built CLI (run the build first)', cli],
  ['FAST+ (../shared/fast-plus)', fastPlus],
]) {
  if (!existsSync(path)) {
    console.error(`missing ${what} at ${path}`);
    process.exit(1);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'fast-cli-bench-'));
const chunks = join(dir, 'chunks.jsonl');
const ids = join(dir, 'ids.jsonl');
const rand = mulberry32(2024);
const lines: string[] = [];
for (let i = 0; i < 20000; i++) {
  const c = smoothChunk(rand, 10, 7);
  lines.push(
    JSON.stringify({
      actions: Array.from({ length: 10 }, (_, t) => Array.from(c.subarray(t * 7, t * 7 + 7))),
    }),
  );
}
writeFileSync(chunks, `${lines.join('\n')}\n`);

function run(args: string[]): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = (performance.now() - start) / 1000;
  if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr.toString()}`);
  return seconds;
}

const decodeArgs = ['decode', '--tokenizer', fastPlus, '--horizon', '10', '--dim', '7', '--input', ids];
const commands: Record<string, string[]> = {
  'node-startup': ['-e', ''],
  encode: [cli, 'encode', '--tokenizer', fastPlus, '--input', chunks, '--output', ids],
  decode: [cli, ...decodeArgs, '--output', join(dir, 'decoded.jsonl')],
  'decode --precision 6': [cli, ...decodeArgs, '--precision', '6', '--output', join(dir, 'decoded6.jsonl')],
};
run(commands.encode); // the decode input, and a warm file cache
const times: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
for (let r = 0; r < rounds; r++) {
  for (const [name, args] of Object.entries(commands)) times[name].push(run(args));
}
console.error(
  `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}; ` +
    `input ${(statSync(chunks).size / 2 ** 20).toFixed(1)} MiB, output ${(statSync(join(dir, 'decoded.jsonl')).size / 2 ** 20).toFixed(1)} MiB`,
);
for (const [name, values] of Object.entries(times)) {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[sorted.length >> 1];
  const reference = name.startsWith('encode')
    ? REFERENCE_SECONDS.encode
    : name.startsWith('decode')
      ? REFERENCE_SECONDS.decode
      : undefined;
  console.log(
    JSON.stringify({
      name: `cli ${name}`,
      chunks: 20000,
      medianSeconds: Number(median.toFixed(3)),
      bestSeconds: Number(sorted[0].toFixed(3)),
      ...(reference === undefined
        ? {}
        : { referenceSeconds: reference, speedup: Number((reference / median).toFixed(2)) }),
    }),
  );
}
rmSync(dir, { recursive: true, force: true });
