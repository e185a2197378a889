// The language-model evaluation scores known generations to known numbers (a NaN or a 0 from a broken
// mapping fails here, which the smoke test's range checks cannot see at toy size).
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodePngRgb } from '@roboalign/datasets';
import { type FastTokenizer, loadFastTokenizer } from '@roboalign/fast-tokenizer';
import {
  type Conversation,
  type Generation,
  saveVlmTokenizer,
  trainVlmTokenizer,
  type Vlm,
  VlmTokenizer,
} from '@roboalign/vlm';
import { describe, expect, it } from 'vitest';
import { meanChunk } from '../../src/pipeline/fast-metrics.js';
import { evaluateLanguageModel } from '../../src/pipeline/lm-eval.js';

const commonPrefix = (a: readonly number[], b: readonly number[]) => {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
};

const fastPlus = fileURLToPath(new URL('../../../../../shared/fast-plus', import.meta.url));

/** A smooth 10×7 chunk, different per `k`. */
const chunk = (k: number) =>
  Array.from({ length: 10 }, (_, t) => Array.from({ length: 7 }, (_, d) => 0.5 * Math.sin(0.3 * t + d + k)));

const row = (question: string, answer: string, extra: Record<string, unknown> = {}) =>
  `${JSON.stringify({
    messages: [
      { role: 'user', content: question },
      { role: 'assistant', content: answer },
    ],
    ...extra,
  })}\n`;

describe.skipIf(!existsSync(fastPlus))('evaluateLanguageModel (../shared/fast-plus)', () => {
  it('scores known generations: prefix similarity, action error, format and VQA accuracy', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lm-eval-'));
    const fast: FastTokenizer = await loadFastTokenizer(fastPlus);
    const targets = [0, 1].map((k) => Array.from(fast.encode(chunk(k))));
    await saveVlmTokenizer(
      join(dir, 'tok'),
      trainVlmTokenizer(['move left', 'move right', 'go'], {
        textVocabSize: 300,
        fastVocabSize: fast.config.vocabSize,
        imageTokens: 4,
        maxLength: 64,
      }),
    );
    const tokenizer = await VlmTokenizer.load(join(dir, 'tok'));
    const files = {
      fast: join(dir, 'fast.jsonl'),
      rl: join(dir, 'fast-reasoning.jsonl'),
      general: join(dir, 'general.jsonl'),
      robot: join(dir, 'robot.jsonl'),
      reasoning: join(dir, 'reasoning.jsonl'),
    };
    // FAST prompts carry a camera image (black; the model below is a stand-in and never reads it), so the
    // grey-image control has something to replace.
    await writeFile(
      join(dir, 'camera.png'),
      encodePngRgb({ width: 8, height: 8, data: new Uint8Array(8 * 8 * 3) }),
    );
    const imageRow = (question: string, target: number[]) =>
      `${JSON.stringify({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', path: 'camera.png' },
              { type: 'text', text: question },
            ],
          },
        ],
        targetFastIds: target,
      })}\n`;
    for (const path of [files.fast, files.rl])
      await writeFile(path, imageRow('fast 0', targets[0]) + imageRow('fast 1', targets[1]));
    await writeFile(files.general, row('general', 'left'));
    await writeFile(files.robot, row('robot', 'left'));
    await writeFile(files.reasoning, row('reasoning', 'left'));

    // Row 0 answers its target exactly, in the think-then-act format, and with grey images answers row 1's
    // target; row 1 writes the first half of its target and no reasoning, whatever the images. VQA: general
    // and reasoning right, robot wrong.
    const half = targets[1].slice(0, Math.floor(targets[1].length / 2));
    const generation = (ids: ArrayLike<number>, text: string): Generation => ({
      ids: Int32Array.from(ids),
      text,
      logprobs: new Float64Array(ids.length),
      finishReason: 'eos',
    });
    const reply = (question: string, grey: boolean): Generation => {
      if (question === 'fast 0' && grey) return generation(tokenizer.actions.wrap(targets[1]), 'no format');
      if (question === 'fast 0')
        return generation(tokenizer.actions.wrap(targets[0]), '<think>left</think><answer>x</answer>');
      if (question === 'fast 1') return generation(tokenizer.actions.wrap(half), 'no format');
      const text = question === 'robot' ? '<answer>right</answer>' : '<answer> Left </answer>';
      return generation(tokenizer.encode(text), text);
    };
    const model = {
      tokenizer,
      generate: async (prompts: readonly Conversation[]) =>
        prompts.map((p) => {
          const content = p.messages[0].content;
          if (typeof content === 'string') return [reply(content, false)];
          const text = content.find((c) => c.type === 'text');
          // blankImages puts the grey pixels in place of the recorded image's path.
          const grey = content.some((c) => c.type === 'image' && c.image?.data[0] === 128);
          return [reply(text?.type === 'text' ? text.text : '', grey)];
        }),
    } as unknown as Vlm;

    // Training targets: both chunks, so the mean chunk is their average and the best constant answer is the first.
    const reference = { trainTargets: targets, meanChunk: meanChunk(fast, targets, { horizon: 10, dim: 7 }) };
    const scores = await evaluateLanguageModel(model, fast, files, reference, {
      prompts: 8,
      maxNewTokens: 64,
      horizon: 10,
      actionDim: 7,
      imageSize: 8,
    });
    const halfSimilarity = half.length / targets[1].length;
    expect(scores.prefixSimilarity.direct).toBeCloseTo((1 + halfSimilarity) / 2, 12);
    expect(scores.prefixSimilarity.reasoning).toBeCloseTo((1 + halfSimilarity) / 2, 12);
    expect(scores.formatRate).toBe(0.5);
    // Only the exact answer decodes whole (a cut-off FAST sequence is not a whole chunk here); the error
    // counts both, the cut-off one padded with zero coefficients as LeRobot decodes.
    expect(scores.decodeRate).toBe(0.5);
    const shape = { horizon: 10, dim: 7 };
    const [c0, c1] = targets.map((t) => fast.decode([t], shape).actions[0]);
    const cut = fast.decode([half], { ...shape, onError: 'pad' }).actions[0];
    const mae = (a: ArrayLike<number>, b: ArrayLike<number>) =>
      Array.from(b).reduce((s, v, i) => s + Math.abs(a[i] - v), 0) / b.length;
    expect(scores.actionMae).toBeCloseTo((0 + mae(cut, c1)) / 2, 12);
    // The mean chunk (c0 + c1) / 2 is as far from either target: mean |c1 − c0| / 2.
    const expected = mae(c0, c1) / 2;
    expect(scores.meanChunkMae).toBeCloseTo(expected, 12);
    expect(scores.distinctAnswers).toBe(1);
    expect(scores.perPrompt.prefixSimilarity).toEqual([1, halfSimilarity]);
    expect(scores.perPrompt.actionMae[0]).toBeCloseTo(0, 12);
    // The answers behind the figures: both prompts, direct then with the reasoning prompt.
    expect(scores.samples.map((x) => [x.prompt, x.question, x.answerFastIds?.length])).toEqual([
      ['direct', 'fast 0', targets[0].length],
      ['direct', 'fast 1', half.length],
      ['reasoning', 'fast 0', targets[0].length],
      ['reasoning', 'fast 1', half.length],
    ]);
    // Each target as the constant answer scores (1 + its similarity to the other) / 2 on training; the
    // held-out rows are the same two targets, so the best keeps its score.
    const cross = commonPrefix(targets[0], targets[1]) / targets[1].length;
    const crossBack = commonPrefix(targets[1], targets[0]) / targets[0].length;
    expect(scores.constantBaseline).toBeCloseTo(Math.max(1 + cross, 1 + crossBack) / 2, 12);
    expect(scores.vqaAccuracy).toEqual({ general: 1, robot: 0, reasoning: 1, mean: 2 / 3 });
    // Grey images: row 0 now answers with row 1's target, which shares `crossBack` of row 0's; row 1 is
    // unchanged. Both answers decode whole or padded as before, and they differ.
    expect(scores.greyImages?.prefixSimilarity).toBeCloseTo((crossBack + halfSimilarity) / 2, 12);
    expect(scores.greyImages?.actionMae).toBeCloseTo((mae(c1, c0) + mae(cut, c1)) / 2, 12);
    expect(scores.greyImages?.distinctAnswers).toBe(1);
  });
});
