import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/run-cli.js';
import { mulberry32, smoothChunk } from './helpers/random.js';
import { FAST_PLUS_DIR, sharedAvailable } from './helpers/shared.js';

async function cli(args: string[], stdin = '') {
  const input = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  input.end(stdin);
  const code = await runCli(args, { stdin: input, stdout, stderr });
  return { code, out, err };
}

const rows = (data: Float64Array, T: number, D: number) =>
  Array.from({ length: T }, (_, t) => Array.from(data.subarray(t * D, (t + 1) * D)));

describe('roboalign-fast usage', () => {
  it('prints help and exits 0', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: roboalign-fast <command>/);
  });

  it('exits 2 on an unknown command or flag', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
    const r = await cli(['encode', '--nope']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Unknown option '--nope'/);
  });

  it('exits 1 with a plain message on a missing tokenizer directory', async () => {
    const r = await cli(['encode', '--tokenizer', '/nonexistent/dir'], '{"actions": [[0]]}\n');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^roboalign-fast encode: no tokenizer directory at \/nonexistent\/dir/);
    expect(r.err).not.toMatch(/ {4}at /); // no stack trace
  });
});

describe.skipIf(!sharedAvailable(FAST_PLUS_DIR, 'FAST+ tokenizer'))('roboalign-fast with FAST+', () => {
  const rand = mulberry32(9);
  const chunks = Array.from({ length: 5 }, () => smoothChunk(rand, 10, 7));
  const input = chunks.map((c) => JSON.stringify({ actions: rows(c, 10, 7) })).join('\n');

  it('encode then decode round-trips within the quantization bound', async () => {
    const enc = await cli(['encode', '--tokenizer', FAST_PLUS_DIR], input);
    expect(enc.code).toBe(0);
    const lines = enc.out.trim().split('\n');
    expect(lines).toHaveLength(5);
    expect(JSON.parse(lines[0]).ids.length).toBeGreaterThan(0);
    const dec = await cli(['decode', '--tokenizer', FAST_PLUS_DIR, '--horizon', '10', '--dim', '7'], enc.out);
    expect(dec.code).toBe(0);
    const decoded = dec.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    decoded.forEach((d, i) => {
      expect(d.ok).toBe(true);
      expect(d.actions).toHaveLength(10);
      const flat = d.actions.flat();
      for (let j = 0; j < flat.length; j++) expect(Math.abs(flat[j] - chunks[i][j])).toBeLessThan(0.17);
    });
  });

  it('names the line of bad input and stops, or writes an error line with --keep-going', async () => {
    const bad = `${JSON.stringify({ actions: [[0.1, 0.2]] })}\n${JSON.stringify({ actions: [[0.1], [0.2, 0.3]] })}\nnot json\n`;
    const stop = await cli(['encode', '--tokenizer', FAST_PLUS_DIR], bad);
    expect(stop.code).toBe(1);
    expect(stop.out.trim().split('\n')).toHaveLength(1); // the good line before the error is kept
    expect(stop.err).toMatch(/line 2: ragged chunk: row 1 has 2 values, row 0 has 1/);
    const go = await cli(['encode', '--tokenizer', FAST_PLUS_DIR, '--keep-going'], bad);
    expect(go.code).toBe(1);
    expect(go.out).toMatch(/"error":"line 2: ragged chunk/);
    expect(go.err).toMatch(/2 of 3 lines failed .*the first: line 2: ragged chunk/);
  });

  it('--keep-going writes exactly one output line per input line, in order, and exits 1 if any failed', async () => {
    const good = JSON.stringify({ actions: rows(chunks[0], 10, 7) });
    const input = [good, 'not json', '', '[1, 2]', '{"other": 1}', `${good}\r`, good].join('\n');
    const enc = await cli(['encode', '--tokenizer', FAST_PLUS_DIR, '--keep-going'], input);
    expect(enc.code).toBe(1);
    const lines = enc.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(7);
    expect(lines.map((l) => ('ids' in l ? 'ids' : l.error))).toEqual([
      'ids',
      expect.stringMatching(/^line 2: not valid JSON/),
      'line 3: empty line',
      'line 4: expected a JSON object',
      'line 5: missing "actions"',
      'ids',
      'ids',
    ]);
    expect(lines[5]).toEqual(lines[0]); // a CRLF line reads as the same chunk
    expect(enc.err).toMatch(/roboalign-fast encode: 4 of 7 lines failed/);

    const ids = [lines[0], lines[5]].map((l) => JSON.stringify(l)).join('\n');
    const dec = await cli(
      ['decode', '--tokenizer', FAST_PLUS_DIR, '--horizon', '10', '--dim', '7', '--keep-going'],
      `${ids}\n{"ids": [1,\n`,
    );
    expect(dec.code).toBe(1);
    const decoded = dec.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(decoded.map((l) => l.ok)).toEqual([true, true, false]);
    expect(decoded[2].error).toMatch(/^line 3: not valid JSON/);

    const clean = await cli(['encode', '--tokenizer', FAST_PLUS_DIR, '--keep-going'], `${good}\n${good}\n`);
    expect(clean.code).toBe(0);
    expect(clean.out.trimEnd().split('\n')).toHaveLength(2);
  });

  it('decode writes full float64 precision by default and rounds with --precision N', async () => {
    const enc = await cli(['encode', '--tokenizer', FAST_PLUS_DIR], input);
    const args = ['decode', '--tokenizer', FAST_PLUS_DIR, '--horizon', '10', '--dim', '7'];
    const full = (await cli(args, enc.out)).out.trimEnd().split('\n');
    const short = (await cli([...args, '--precision', '3'], enc.out)).out.trimEnd().split('\n');
    full.forEach((line, i) => {
      const exact: number[] = JSON.parse(line).actions.flat();
      const rounded: number[] = JSON.parse(short[i]).actions.flat();
      // the text is JSON.stringify's own: shortest round-trip digits
      expect(line).toBe(JSON.stringify(JSON.parse(line)));
      rounded.forEach((v, j) => {
        expect(Math.abs(v - exact[j])).toBeLessThanOrEqual(0.0005 + 1e-12);
        expect(String(v).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(3);
      });
    });
    const bad = await cli([...args, '--precision', '20'], enc.out);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/--precision must be an integer from 0 to 15, got 20/);
  });

  it('decode reports a wrong-length sequence as ok: false with the reason', async () => {
    const r = await cli(
      ['decode', '--tokenizer', FAST_PLUS_DIR, '--horizon', '10', '--dim', '7'],
      '{"ids": [1, 2]}\n',
    );
    expect(r.code).toBe(0);
    const line = JSON.parse(r.out);
    expect(line.ok).toBe(false);
    expect(line.error).toMatch(/^line 1: decoded \d+ coefficients, expected 70/);
    const missing = await cli(
      ['decode', '--tokenizer', FAST_PLUS_DIR, '--horizon', '10', '--dim', '7'],
      '{"x": 1}\n',
    );
    expect(missing.err).toMatch(/line 1: missing "ids"/);
    const noShape = await cli(['decode', '--tokenizer', FAST_PLUS_DIR], '{"ids": [1]}\n');
    expect(noShape.err).toMatch(/decode needs --horizon/);
  });
});

describe('roboalign-fast fit and stats', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fast-cli-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('fits a tokenizer from files and encodes with it', async () => {
    const rand = mulberry32(4);
    const lines = Array.from({ length: 200 }, () =>
      JSON.stringify({ actions: rows(smoothChunk(rand, 5, 3), 5, 3) }),
    );
    await writeFile(join(dir, 'train.jsonl'), `${lines.join('\n')}\n`);
    const out = join(dir, 'tok');
    const fit = await cli([
      'fit',
      '--input',
      join(dir, 'train.jsonl'),
      '--output',
      out,
      '--vocab-size',
      '300',
      '--time-horizon',
      '5',
      '--action-dim',
      '3',
    ]);
    expect(fit.code).toBe(0);
    expect(fit.err).toMatch(/fitted \d+ tokens on 200 chunks/);
    const enc = await cli([
      'encode',
      '--tokenizer',
      out,
      '--input',
      join(dir, 'train.jsonl'),
      '--output',
      join(dir, 'ids.jsonl'),
    ]);
    expect(enc.code).toBe(0);
    const dec = await cli(['decode', '--tokenizer', out, '--input', join(dir, 'ids.jsonl')]);
    expect(dec.code).toBe(0);
    expect(
      dec.out
        .trim()
        .split('\n')
        .every((l) => JSON.parse(l).ok === true),
    ).toBe(true);
  });

  it('computes per-dimension statistics', async () => {
    const r = await cli(
      ['stats', '--output', join(dir, 'stats.json')],
      '{"actions": [[1, 10], [3, 30]]}\n{"actions": [[5, 50]]}\n',
    );
    expect(r.code).toBe(0);
    const stats = JSON.parse(await readFile(join(dir, 'stats.json'), 'utf8'));
    expect(stats.mean).toEqual([3, 30]);
    expect(stats.count).toBe(3);
  });

  it('rejects bad numbers and empty input', async () => {
    expect((await cli(['fit', '--output', dir, '--vocab-size', 'lots'], '{"actions": [[1]]}\n')).err).toMatch(
      /--vocab-size must be an integer, got lots/,
    );
    expect((await cli(['fit', '--output', dir], '')).err).toMatch(/no input chunks/);
  });
});
