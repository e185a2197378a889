import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalize } from '@roboalign/fast-tokenizer';
import { mulberry32 } from '@roboalign/utils';
import { saveVlmTokenizer, trainVlmTokenizer, VlmTokenizer } from '@roboalign/vlm';
import { describe, expect, it } from 'vitest';
import { actionTokensText, parseActionTokens } from '../../src/data/action-text.js';
import { actionNormStats, fitOnChunks, loadActionTokenizer } from '../../src/data/action-tokenizer.js';
import { fitActionTokenizer } from '../../src/data/fit-action-tokenizer.js';

const H = 10;
const D = 7;

/** Expert-like chunks: smooth saturated moves and a gripper sign; some dimensions never move. */
function expertLikeChunks(count: number, seed: number): Float32Array[] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () => {
    const c = new Float32Array(H * D);
    const target = [0, 1, 2].map(() => rng() * 4 - 2);
    const grip = rng() < 0.5 ? -1 : 1;
    for (let t = 0; t < H; t++) {
      for (let i = 0; i < 3; i++) c[t * D + i] = Math.max(-1, Math.min(1, target[i] * (1 - t / H)));
      c[t * D + 5] = rng() < 0.05 ? rng() * 2 - 1 : 0;
      c[t * D + 6] = grip;
    }
    return c;
  });
}

const flat = (chunks: Float32Array[]) => Float32Array.from(chunks.flatMap((c) => Array.from(c)));

describe('the action tokenizer', () => {
  it('normalizes with the action bounds: every valid action maps into [−1, 1], also a rare yaw', () => {
    const chunks = expertLikeChunks(50, 1);
    const stats = actionNormStats(flat(chunks), D);
    expect(stats.q01).toEqual(Array(D).fill(-1));
    expect(stats.q99).toEqual(Array(D).fill(1));
    const values = normalize(
      Float64Array.from({ length: 70 }, (_, i) => ((i % 21) - 10) / 10),
      stats,
    );
    expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(1);
  });

  it('encodes any chunk inside the bounds, also unlike the pool, and decodes it within the stated bounds', () => {
    const tokenizer = fitOnChunks(expertLikeChunks(300, 2), flat(expertLikeChunks(300, 2)), D, {
      horizon: H,
      vocabSize: 400,
      scale: 10,
    });
    const rng = mulberry32(3);
    // Uniform noise in [−1, 1] reaches coefficients the smooth pool never had.
    const probes = [
      ...expertLikeChunks(100, 4),
      ...Array.from({ length: 100 }, () => Float32Array.from({ length: 70 }, () => rng() * 2 - 1)),
    ];
    let worst = 0;
    for (const chunk of probes) {
      const ids = tokenizer.encode(chunk);
      const { actions, ok } = tokenizer.decode(ids);
      expect(ok).toBe(true);
      let squares = 0;
      for (let j = 0; j < 70; j++) {
        const error = Math.abs(actions[j] - chunk[j]);
        worst = Math.max(worst, error / tokenizer.errorBound(j % D));
        squares += error ** 2;
      }
      expect(Math.sqrt(squares / 70)).toBeLessThanOrEqual(tokenizer.rmsBound() + 1e-9);
    }
    expect(worst).toBeLessThanOrEqual(1 + 1e-9);
    expect(tokenizer.errorBound(0)).toBeCloseTo(Math.sqrt(10) * 0.05, 6);
  });

  it('saves and loads: the same ids, and the answer text tokenizes to the VLM’s action ids', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roboalign-action-tok-'));
    try {
      const chunks = expertLikeChunks(200, 5);
      const tokenizer = fitOnChunks(chunks, flat(chunks), D, { horizon: H, vocabSize: 320, scale: 10 });
      await tokenizer.save(join(dir, 'fast'), { seed: 5 });
      const { tokenizer: loaded, fit } = await loadActionTokenizer(join(dir, 'fast'));
      expect(fit).toEqual({ seed: 5 });
      for (const chunk of chunks.slice(0, 20)) expect(loaded.encode(chunk)).toEqual(tokenizer.encode(chunk));

      // fast-tokenizer's added-token convention, as the VLM's tokenizer registers it.
      const files = trainVlmTokenizer(['move above the red block', 'close the gripper'], {
        textVocabSize: 300,
        fastVocabSize: loaded.fastVocabSize,
        imageTokens: 4,
        maxLength: 256,
      });
      await saveVlmTokenizer(join(dir, 'vlm'), files);
      const vlm = await VlmTokenizer.load(join(dir, 'vlm'));
      for (const chunk of chunks.slice(0, 5)) {
        const ids = loaded.encode(chunk);
        const text = actionTokensText(ids, loaded.fastVocabSize);
        expect(parseActionTokens(text)).toEqual(ids);
        expect(vlm.encode(text)).toEqual(Array.from(vlm.actions.wrap(ids)));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  const fastPlus = fileURLToPath(new URL('../../../../../shared/fast-plus', import.meta.url));
  it.skipIf(!existsSync(fastPlus))(
    'can use the released FAST+ instead of fitting (../shared/fast-plus)',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'roboalign-fast-plus-'));
      try {
        const tokenizer = await fitActionTokenizer({
          dir,
          seed: 0,
          episodes: 1,
          pretrained: fastPlus,
          workers: 0,
          progress: false,
        });
        expect(tokenizer.fastVocabSize).toBe(2048);
        for (const chunk of expertLikeChunks(20, 7)) {
          const { actions, ok } = tokenizer.decode(tokenizer.encode(chunk));
          expect(ok).toBe(true);
          for (let j = 0; j < 70; j++)
            expect(Math.abs(actions[j] - chunk[j])).toBeLessThanOrEqual(tokenizer.errorBound(j % D) + 1e-9);
        }
        const { fit } = await loadActionTokenizer(dir);
        expect(fit.pretrained).toBe(fastPlus);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );

  it('refuses a vocabulary smaller than the byte alphabet', () => {
    const chunks = expertLikeChunks(10, 6);
    expect(() => fitOnChunks(chunks, flat(chunks), D, { horizon: H, vocabSize: 200, scale: 10 })).toThrow(
      />= 256/,
    );
  });

  it('writes and reads action token text, refusing ids outside the vocabulary', () => {
    expect(actionTokensText([3, 0, 7], 8)).toBe('<ACTION_START><FAST_3><FAST_0><FAST_7><ACTION_END>');
    expect(parseActionTokens('<think>x</think><ACTION_START><FAST_3><FAST_0><ACTION_END> rest')).toEqual([
      3, 0,
    ]);
    expect(parseActionTokens('<ACTION_START><FAST_3>')).toBeNull();
    expect(() => actionTokensText([8], 8)).toThrow(/outside/);
  });
});
