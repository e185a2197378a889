import { mulberry32 } from '@roboalign/utils';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEMO_OPTIONS, runFastDemo } from '../src/demo.js';
import { formatReport } from '../src/format.js';
import { generateEpisode } from '../src/trajectories.js';

const small = { ...DEFAULT_DEMO_OPTIONS, episodes: 40, stepsPerEpisode: 100, vocabSize: 512 };

describe('synthetic trajectories', () => {
  it('are smooth, with a binary gripper', () => {
    const ep = generateEpisode(mulberry32(1), { steps: 200, hz: 10, noise: 0 });
    let jump = 0;
    let size = 0;
    for (let t = 1; t < 200; t++) {
      jump += Math.abs(ep[t * 7] - ep[(t - 1) * 7]);
      size += Math.abs(ep[t * 7]);
    }
    expect(jump / size).toBeLessThan(0.5);
    const gripper = new Set(Array.from({ length: 200 }, (_, t) => ep[t * 7 + 6]));
    expect([...gripper].every((g) => g === 0 || g === 1)).toBe(true);
  });
});

describe('runFastDemo', () => {
  const report = runFastDemo(small);

  it('compresses held-out chunks well below naive binning', () => {
    expect(report.fast.meanTokens).toBeLessThan(report.fast.naiveTokens / 2);
    expect(report.heldOut.raw.length).toBe(8 * 10);
  });

  it('reports the held-out chunks the reference recipe cannot encode faithfully', () => {
    // With little training data some held-out coefficients leave the fitted range: their bytes are not in
    // the code-point alphabet, BPE drops them (as the Rust library does), and decoding reports a failure.
    expect(report.fast.decodeFailures).toBeGreaterThan(0);
    expect(report.fast.decodeFailures).toBeLessThan(report.heldOut.raw.length / 10);
    // The byte-level alphabet keeps every byte, so nothing is dropped.
    expect(runFastDemo({ ...small, alphabet: 'bytes' }).fast.decodeFailures).toBe(0);
  });

  it('reconstructs within the quantization bound on the default run', () => {
    const full = runFastDemo(DEFAULT_DEMO_OPTIONS);
    expect(full.fast.decodeFailures).toBe(0);
    const bound = (Math.sqrt(full.options.horizon) * 0.5) / full.options.scale;
    expect(full.fast.maxAbsErrorNormalized).toBeLessThanOrEqual(bound);
    expect(full.fast.rmseNormalized).toBeLessThan(full.naive.rmseNormalized);
  }, 30_000);

  it('is deterministic for a seed', () => {
    expect(runFastDemo(small).fast).toEqual(report.fast);
  });

  it('prints a Markdown table', () => {
    const text = formatReport(report, [report.fast]);
    expect(text).toMatch(/\| FAST \(fitted here\) \| \d+\.\d \|/);
    expect(text).toMatch(/naive 256-bin per value \| 70 \|/);
  });
});
