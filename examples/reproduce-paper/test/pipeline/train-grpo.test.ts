// trainGrpo's wiring of the preset's GRPO settings, on a fresh micro model (whose answers earn no reward).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ActionDecoder } from '@roboalign/rewards';
import { describe, expect, it } from 'vitest';
import { trainGrpo } from '../../src/pipeline/language-models.js';
import { PIPELINE_PRESETS, type PipelinePreset } from '../../src/pipeline/presets.js';
import { microModel } from './micro-model.js';

const smoke = PIPELINE_PRESETS.smoke;
const withGrpo = (grpo: Partial<PipelinePreset['grpo']>): PipelinePreset => ({
  ...smoke,
  grpo: { ...smoke.grpo, steps: 2, prompts: 2, maxNewTokens: 4, ...grpo },
});

describe('trainGrpo', () => {
  it('samples up to grpo.samplingRounds batches a step, and skips the update when no group varies', async () => {
    const { dir, tokenizer, model } = await microModel(['what action now', 'move left'], 64, 'train-grpo-');
    await model.save(join(dir, 'from'));
    await model.release();
    const prompt = (content: string) => ({ messages: [{ role: 'user' as const, content }] });
    const rl = [prompt('what action now'), prompt('move left')].map((p) => ({
      prompt: p,
      targetFastIds: [1, 2],
    }));
    const trained = await trainGrpo({
      tokenizer,
      preset: withGrpo({ samplingRounds: 3 }),
      from: join(dir, 'from'),
      out: join(dir, 'out'),
      rl,
    });
    const log = (await readFile(trained.metrics, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, number>);
    expect(log).toHaveLength(2);
    // An untrained model writes no action block: every reward is 0, so each step samples all 3 batches
    // and keeps no group.
    for (const m of log) {
      expect(m.sampling_rounds).toBe(3);
      expect(m.groups_kept).toBe(0);
      expect(m.reward).toBe(0);
    }
    expect(trained.nonZeroVarianceBefore).toBe(0);
    // No update: the saved weights are the starting ones, byte for byte.
    const weights = (d: string) => readFile(join(d, 'model.safetensors'));
    expect((await weights(join(dir, 'out'))).equals(await weights(join(dir, 'from')))).toBe(true);
  }, 60_000);

  it('refuses an action-distance accuracy without a decoder or with τ ≤ 0, before loading a model', async () => {
    const { dir, tokenizer } = await microModel(['left'], 32, 'train-grpo-bad-');
    const options = (actionRewardTemperature: number, decodeFast?: ActionDecoder) => ({
      tokenizer,
      preset: withGrpo({ actionRewardTemperature }),
      from: join(dir, 'no-such-model'),
      out: join(dir, 'out'),
      rl: [{ prompt: { messages: [{ role: 'user' as const, content: 'left' }] }, targetFastIds: [1] }],
      decodeFast,
    });
    await expect(trainGrpo(options(0.1))).rejects.toThrow(
      /actionRewardTemperature needs trainGrpo's decodeFast/,
    );
    await expect(trainGrpo(options(0, () => null))).rejects.toThrow(/must be positive, got 0/);
    await expect(trainGrpo(options(0.1, () => null))).rejects.toThrow(/no-such-model/);
  });
});
