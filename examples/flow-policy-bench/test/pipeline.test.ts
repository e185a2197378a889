import { computeNormStats, PRESETS } from '@roboalign/action-head';
import { describe, expect, it } from 'vitest';
import { activeActionDims, headSamples } from '../src/flow-policy.js';
import { instructionFeatures } from '../src/instruction-features.js';
import { DEFAULTS, runPipeline } from '../src/run.js';

describe('instruction features', () => {
  it('give one fixed vector per word, masked padding, and reject long instructions', () => {
    const a = instructionFeatures('open the drawer', 4, 3);
    const b = instructionFeatures('close the drawer', 4, 3);
    expect(Array.from(a.featureMask)).toEqual([1, 1, 1, 0]);
    expect(Array.from(a.features.subarray(3, 9))).toEqual(Array.from(b.features.subarray(3, 9))); // "the drawer"
    expect(Array.from(a.features.subarray(0, 3))).not.toEqual(Array.from(b.features.subarray(0, 3)));
    expect(Array.from(a.features.subarray(9))).toEqual([0, 0, 0]);
    expect(() => instructionFeatures('one two three four five', 4, 3)).toThrow(/at most 4/);
  });
});

describe('action dimensions the demonstrations never use', () => {
  it('are found, masked out of the loss, and the chunks repeat the last action past the end', () => {
    const actions = Float32Array.from([1, 0, -1, 0, 0, 0.5, -1, 0.2, 0.1, 0, 0, 0, 0, 1]);
    const demo = {
      index: 0,
      instruction: 'lift the block',
      fps: 20,
      length: 2,
      actions,
      actionDim: 7,
      states: new Float32Array(16).fill(0.5),
      stateDim: 8,
    };
    const active = activeActionDims([demo]);
    expect(active).toEqual([true, true, true, false, false, true, true]);
    const config = { ...PRESETS.small, backboneTokens: 4, backboneDim: 8 };
    const stats = computeNormStats(Float64Array.from([0, 1, 0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 1, 0]), 8);
    const [first, second] = headSamples([demo], config, stats, active);
    expect(Array.from(first.actionMask.subarray(0, 7))).toEqual([1, 1, 1, 0, 0, 1, 1]);
    expect(Array.from(first.actions.subarray(0, 14))).toEqual(Array.from(actions));
    // Past the end the last action repeats (holding still).
    expect(Array.from(second.actions.subarray(7, 14))).toEqual(Array.from(actions.subarray(7, 14)));
  });
});

describe('demonstrations → flow-matching head → evaluation', () => {
  it('runs end to end at toy scale and the flow-matching loss falls', async () => {
    const result = await runPipeline({
      ...DEFAULTS,
      demosPerTask: 2,
      steps: 120,
      batchSize: 16,
      trials: 1,
      tasks: [2, 3],
      progress: false,
    });
    expect(result.demos).toBe(4);
    expect(result.samples).toBeGreaterThan(60);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(mean(result.losses.slice(-20))).toBeLessThan(0.6 * mean(result.losses.slice(0, 10)));
    expect(result.report.episodes.map((e) => e.taskIndex)).toEqual([2, 3]);
    expect(result.report.successRate).toBeGreaterThanOrEqual(0);
  });
});
