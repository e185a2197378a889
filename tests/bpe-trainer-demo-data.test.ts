// fit() against the Rust BpeTrainer on the main job's own data (minimum-jerk reaches with gripper
// switches, 10 × 7 chunks): long merge chains on realistic FAST strings, beyond the package's own tests.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chunkEpisodes } from '@roboalign/datasets';
import { computeNormStats, dct, fitFastTokenizer, normalize, roundHalfEven } from '@roboalign/fast-tokenizer';
import { mulberry32 } from '@roboalign/utils';
import { describe, expect, it } from 'vitest';
import { generateEpisode } from '../examples/fast-demo/src/trajectories.js';
import { rustTrain } from '../packages/fast-tokenizer/test/helpers/oracle.js';

describe('fitFastTokenizer on the demo trajectories', () => {
  it('learns the merges the Rust trainer learns, in order', async () => {
    const rand = mulberry32(0);
    const episodes = Array.from({ length: 240 }, () => generateEpisode(rand, { steps: 200, hz: 10 }));
    const flat = new Float64Array(episodes.reduce((n, e) => n + e.length, 0));
    let offset = 0;
    for (const e of episodes) {
      flat.set(e, offset);
      offset += e.length;
    }
    const stats = computeNormStats(flat, 7);
    let chunks = chunkEpisodes(episodes, 7, { horizon: 10, stride: 10 }).map((c) => normalize(c, stats));
    // The Rust trainer reads one sequence per line: leave out chunks whose string holds a "\n"
    // (repeating until the offset min_token, which depends on the chunks kept, is stable).
    const quantized = (c: Float64Array) => Array.from(dct(c, 10, 7), (v) => roundHalfEven(v * 10));
    const lineOf = (c: Float64Array, minToken: number) =>
      String.fromCodePoint(...quantized(c).map((v) => v - minToken));
    let minToken = Number.NaN;
    for (let round = 0; round < 5; round++) {
      minToken = Math.min(...chunks.map((c) => Math.min(...quantized(c))));
      const kept = chunks.filter((c) => !lineOf(c, minToken).includes('\n'));
      if (kept.length === chunks.length) break;
      chunks = kept;
    }
    expect(chunks.length).toBeGreaterThan(3000);
    const fitted = fitFastTokenizer(
      chunks.map((data) => ({ data, horizon: 10, dim: 7 })),
      { vocabSize: 1024 },
    );
    expect(fitted.config.minToken).toBe(minToken);
    // The same strings for the Rust trainer (its default trainer: min_frequency 0, no initial alphabet).
    const lines = chunks.map((c) => lineOf(c, minToken));
    const dir = await mkdtemp(join(tmpdir(), 'demo-bpe-'));
    try {
      const { merges: rustMerges } = await rustTrain(dir, 'demo', lines);
      const ours = fitted.bpe.merges;
      expect(ours.length).toBeGreaterThan(500);
      // fit() stops at min_frequency 2 and the vocabulary size; Rust's default run goes on: a prefix.
      expect(ours.map(([a, b]) => `${a} ${b}`)).toEqual(
        rustMerges.slice(0, ours.length).map(([a, b]) => `${a} ${b}`),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
