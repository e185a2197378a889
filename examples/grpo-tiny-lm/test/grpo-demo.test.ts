import { describe, expect, it } from 'vitest';
import { runGrpoDemo } from '../src/run.js';

describe('GRPO on a tiny decoder LM (grpo + rewards + onnx-train)', () => {
  it('raises the prefix-similarity reward from chance to most of the target', async () => {
    const history = await runGrpoDemo({ steps: 120, target: [3, 1, 4, 1, 5], vocab: 8, seed: 1 });
    const first = history.slice(0, 3).reduce((a, m) => a + m.reward, 0) / 3;
    const last = history.slice(-5).reduce((a, m) => a + m.reward, 0) / 5;
    expect(first).toBeLessThan(0.3);
    expect(last).toBeGreaterThan(0.75);
    expect(history.every((m) => Number.isFinite(m.loss))).toBe(true);
  }, 60_000);
});
