import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScoreRow } from '../src/data/batch.js';
import { prefixFeeds } from '../src/data/batch.js';
import type { Conversation } from '../src/data/conversation.js';
import { type EncodedExample, encodeConversation, encodePrompt } from '../src/data/encode.js';
import { exportedPrefillDifference, exportOnnx } from '../src/export.js';
import { VlmPolicy } from '../src/policy.js';
import type { VlmTokenizer } from '../src/tokenizer/vlm-tokenizer.js';
import { Vlm } from '../src/vlm.js';
import { MICRO } from './helpers/micro.js';
import { blockImage, toyTokenizer } from './helpers/toy.js';

let tokenizer: VlmTokenizer;
let model: Vlm;
beforeAll(async () => {
  ({ tokenizer } = await toyTokenizer());
  model = Vlm.create(tokenizer, { architecture: MICRO, maxLength: 192, seed: 3 });
});

const prompt = (x: number, text: string): Conversation => ({
  messages: [
    {
      role: 'user',
      content: [
        { type: 'image', image: blockImage(x) },
        { type: 'text', text },
      ],
    },
  ],
});

/** The full next-token distribution after `ids[0..t)` under the prefix-LM mask, from the score graph. */
async function fullLogprobs(
  row: { ids: Int32Array; images: EncodedExample['images']; prefixLength: number },
  t: number,
) {
  const V = model.config.vocabSize;
  const scored: ScoreRow = { ...row, targets: new Array(V).fill(t), weights: new Array(V).fill(0) };
  const feeds = model.scoreFeeds([scored]);
  const index = feeds.target_index.data as BigInt64Array;
  for (let n = 0; n < V; n++) index[n] = BigInt(n * V + n);
  const { tokenLogprobs } = await model.runScore(feeds);
  return tokenLogprobs.subarray(0, V);
}

const argmax = (xs: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
};

describe('generation with a key/value cache', () => {
  it('greedy decoding picks the argmax of the full forward at every step, for prompts of different lengths', async () => {
    const prompts = [prompt(2, 'pick up the red block'), prompt(40, 'left')];
    const out = await model.generate(prompts, { temperature: 0, maxNewTokens: 8, n: 1 });
    for (let p = 0; p < prompts.length; p++) {
      const enc = await encodePrompt(tokenizer, model.config, prompts[p]);
      const gen = out[p][0].ids;
      expect(gen.length).toBeGreaterThan(0);
      for (let k = 0; k < gen.length; k++) {
        const ids = Int32Array.from([...enc.ids, ...gen]);
        const dist = await fullLogprobs(
          { ids, images: enc.images, prefixLength: enc.ids.length },
          enc.ids.length + k,
        );
        expect(argmax(dist)).toBe(gen[k]);
        expect(out[p][0].logprobs[k]).toBeCloseTo(dist[gen[k]], 4);
      }
    }
  });

  it('reports sampled log-probs equal to teacher-forced ones within 1e-4, deterministically per seed', async () => {
    const policy = new VlmPolicy(model, { maxNewTokens: 12 });
    const prompts = [prompt(5, 'Which side is the red block on?'), prompt(45, 'left right')];
    const groups = await policy.sample(prompts, 3, { temperature: 1, seed: 11 });
    const again = await policy.sample(prompts, 3, { temperature: 1, seed: 11 });
    expect(again.flat().map((c) => Array.from(c.ids))).toEqual(groups.flat().map((c) => Array.from(c.ids)));
    const completions = groups.flat();
    const forced = await policy.logprobs(
      completions.map((_, i) => prompts[Math.floor(i / 3)]),
      completions,
    );
    completions.forEach((c, i) => {
      expect(forced[i]).toHaveLength(c.ids.length);
      for (let k = 0; k < c.ids.length; k++)
        expect(Math.abs(forced[i][k] - c.logprobs[k])).toBeLessThan(1e-4);
    });
  });

  it('stops a row at a stop string and cuts the text before it', async () => {
    const [[free]] = await model.generate([prompt(2, 'left')], { temperature: 0, maxNewTokens: 12 });
    expect(free.text.length).toBeGreaterThan(3);
    const stop = free.text.slice(2, 4);
    const [[cut]] = await model.generate([prompt(2, 'left')], {
      temperature: 0,
      maxNewTokens: 12,
      stop: [stop],
    });
    expect(cut.finishReason).toBe('stop');
    expect(cut.text).toBe(free.text.slice(0, free.text.indexOf(stop)));
    expect(cut.ids.length).toBeLessThan(free.ids.length);
  });

  it('stops at the token that completes a stop string spanning token boundaries', async () => {
    const [[free]] = await model.generate([prompt(2, 'left')], { temperature: 0, maxNewTokens: 12 });
    const ids = Array.from(free.ids);
    const decodedUpTo = (k: number) => model.tokenizer.decode(ids.slice(0, k));
    // The last character of token 1 and everything of tokens 2 and 3: three tokens, two boundaries.
    const start = decodedUpTo(2).length - 1;
    const stop = decodedUpTo(4).slice(start);
    expect(stop.length).toBeGreaterThan(2);
    const [[cut]] = await model.generate([prompt(2, 'left')], {
      temperature: 0,
      maxNewTokens: 12,
      stop: [stop],
    });
    // The full-text rule: the first prefix of the completion that contains the stop string.
    const completes = ids.findIndex((_, k) => decodedUpTo(k + 1).includes(stop)) + 1;
    expect(cut.finishReason).toBe('stop');
    expect(cut.ids.length).toBe(completes);
    expect(cut.text).toBe(free.text.slice(0, free.text.indexOf(stop)));
  });
});

describe('the prefix-LM mask', () => {
  async function logprobsOf(ids: Int32Array, enc: EncodedExample) {
    const targets = Array.from({ length: ids.length - 1 }, (_, i) => i + 1);
    const rows: ScoreRow[] = [
      { ids, images: enc.images, prefixLength: enc.prefixLength, targets, weights: targets.map(() => 0) },
    ];
    return (await model.score(rows)).tokenLogprobs;
  }

  it('leaves image and prompt states unchanged when an answer token changes, and earlier answer states too', async () => {
    const conv: Conversation = {
      messages: [
        ...prompt(7, 'pick up the red block').messages,
        { role: 'assistant', content: 'left right left' },
      ],
    };
    const enc = await encodeConversation(tokenizer, model.config, conv);
    const changed = enc.ids.slice();
    const k = enc.prefixLength + 2;
    changed[k] = tokenizer.encode('plate')[0];
    const before = await logprobsOf(enc.ids, enc);
    const after = await logprobsOf(changed, enc);
    // Target t (array index t - 1) is read from position t - 1: positions before k see nothing of token k.
    for (let t = 1; t < k; t++) expect(after[t - 1]).toBe(before[t - 1]);
    expect(after[k]).not.toBe(before[k]); // position k reads the changed token
  });

  it('lets prompt tokens see later prompt tokens (bidirectional prefix)', async () => {
    const conv: Conversation = {
      messages: [...prompt(7, 'pick up the red block').messages, { role: 'assistant', content: 'left' }],
    };
    const enc = await encodeConversation(tokenizer, model.config, conv);
    const changed = enc.ids.slice();
    const last = enc.prefixLength - 4; // a text token of the user turn
    changed[last] = tokenizer.encode('plate')[0];
    const before = await logprobsOf(enc.ids, enc);
    const after = await logprobsOf(changed, enc);
    expect(after[4]).not.toBe(before[4]); // an early image position changed with a later prompt token
  });
});

describe('exported ONNX models', () => {
  it('run in plain ONNX Runtime sessions with the logits of the model and reproduce greedy generation', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vlm-export-'));
    const files = await exportOnnx(model, dir, { batch: 1, promptLength: 96, maxNewTokens: 8 });
    const enc = await encodePrompt(tokenizer, model.config, prompt(3, 'left'));
    const { feeds } = prefixFeeds(model.config, [enc], 96, {
      imageTokenId: model.config.imageTokenId,
      padId: tokenizer.ids.pad,
      align: 'left',
    });
    const ours = await model.prefill(feeds, 1, 96);
    const session = await ort.InferenceSession.create(join(dir, files.prefill));
    const plain: Record<string, ort.Tensor> = {};
    for (const [name, f] of Object.entries(feeds))
      plain[name] = new ort.Tensor(f.dtype === 'int64' ? 'int64' : 'float32', f.data, [...f.shape]);
    const theirs = await session.run(plain);
    expect(session.outputNames).toContain('present.1.value');
    // Embedded weights let ONNX Runtime fold constants differently: equal up to float32 rounding.
    const a = theirs.logits.data as Float32Array;
    const b = ours.logits as Float32Array;
    expect(a).toHaveLength(b.length);
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-5);
    // Greedy decoding with the two plain sessions reproduces model.generate.
    const decode = await ort.InferenceSession.create(join(dir, files.decode));
    const { layers, heads, width } = model.config.text;
    const headDim = width / heads;
    const M = 96 + 8;
    const past: Record<string, ort.Tensor> = {};
    for (let i = 0; i < layers; i++)
      for (const kind of ['key', 'value']) {
        const present = theirs[`present.${i}.${kind}`].data as Float32Array;
        const cache = new Float32Array(heads * M * headDim);
        for (let h = 0; h < heads; h++)
          cache.set(present.subarray(h * 96 * headDim, (h + 1) * 96 * headDim), h * M * headDim);
        past[`past_key_values.${i}.${kind}`] = new ort.Tensor('float32', cache, [1, heads, M, headDim]);
      }
    const mask = new BigInt64Array(M);
    mask.set(feeds.attention_mask.data as BigInt64Array);
    const argmax = (xs: Float32Array) => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);
    const ids = [argmax(theirs.logits.data as Float32Array)];
    for (let step = 0; step < 3; step++) {
      mask[96 + step] = 1n;
      const out = await decode.run({
        ...past,
        input_ids: new ort.Tensor('int64', BigInt64Array.of(BigInt(ids[step])), [1, 1]),
        position_ids: new ort.Tensor('int64', BigInt64Array.of(BigInt(enc.ids.length + step)), [1, 1]),
        attention_mask: new ort.Tensor('int64', mask.slice(), [1, M]),
        cache_position: new ort.Tensor('int64', BigInt64Array.of(BigInt(96 + step)), [1]),
      });
      for (let i = 0; i < layers; i++)
        for (const kind of ['key', 'value'])
          past[`past_key_values.${i}.${kind}`] = out[`present.${i}.${kind}`];
      ids.push(argmax(out.logits.data as Float32Array));
    }
    const [[greedy]] = await model.generate([prompt(3, 'left')], { temperature: 0, maxNewTokens: 4 });
    const eos = greedy.ids.indexOf(tokenizer.ids.imEnd);
    const n = eos < 0 ? 4 : eos + 1;
    expect(ids.slice(0, n)).toEqual(Array.from(greedy.ids.slice(0, n)));
  });

  it('exportedPrefillDifference measures the exported logits against the model and sees other weights', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vlm-export-check-'));
    await exportOnnx(model, dir, { batch: 1, promptLength: 96, maxNewTokens: 8 });
    const prompts = [prompt(3, 'left'), prompt(5, 'right')];
    expect(await exportedPrefillDifference(model, dir, prompts, { promptLength: 96 })).toBeLessThan(1e-5);
    const other = model.clone();
    for (const p of other.params.values()) p.fill(0.01);
    expect(await exportedPrefillDifference(other, dir, prompts, { promptLength: 96 })).toBeGreaterThan(1e-2);
    await other.release();
  });
});

describe('VlmPolicy.step', () => {
  it('moves the weights along −∂loss/∂log-prob: seeds of −1 raise the completion log-probs, +1 lower them', async () => {
    const local = model.clone();
    const policy = new VlmPolicy(local, { maxNewTokens: 6 });
    const p = [prompt(9, 'left')];
    const [[c]] = await policy.sample(p, 1, { temperature: 1, seed: 3 });
    const before = (await policy.logprobs(p, [c]))[0];
    const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);
    await policy.step(p, [c], [new Float64Array(c.ids.length).fill(-1)], { learningRate: 1e-3 });
    const raised = (await policy.logprobs(p, [c]))[0];
    expect(sum(raised)).toBeGreaterThan(sum(before));
    await policy.step(p, [c], [new Float64Array(c.ids.length).fill(1)], { learningRate: 1e-3 });
    await policy.step(p, [c], [new Float64Array(c.ids.length).fill(1)], { learningRate: 1e-3 });
    expect(sum((await policy.logprobs(p, [c]))[0])).toBeLessThan(sum(raised));
    // The original model is untouched: the clone has its own arrays.
    expect(sum((await new VlmPolicy(model).logprobs(p, [c]))[0])).toBeCloseTo(sum(before), 4);
  });
});
