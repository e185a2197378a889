import { type Feed, logSoftmaxRow, sampleToken } from '@roboalign/onnx-train';
import { mulberry32, seedFromName } from '@roboalign/utils';
import { bucket, prefixFeeds } from './data/batch.js';
import type { VlmPrompt } from './data/conversation.js';
import { type EncodedExample, encodePrompt } from './data/encode.js';
import { VlmError } from './errors.js';
import type { VlmRuntime } from './model/runtime.js';

/** Options of {@link generate}. */
export interface GenerateOptions {
  /** Most tokens generated per completion; default 64. */
  maxNewTokens?: number;
  /** Softmax temperature; 0 is greedy. Default 1. */
  temperature?: number;
  /** Nucleus sampling: keep the most likely tokens up to this probability mass; default 1 (off). */
  topP?: number;
  /** Keep only the `topK` most likely tokens; default 0 (off). */
  topK?: number;
  /** Completions per prompt; default 1. */
  n?: number;
  /** Seed of the sampling; the same seed gives the same completions. Default 0. */
  seed?: number;
  /** Stop a completion when its text contains one of these (the text is cut before it). */
  stop?: readonly string[];
}

/** One completion. */
export interface Generation {
  /** Generated ids, the closing `<|im_end|>` included when the model wrote it. */
  ids: Int32Array;
  /** Decoded text, cut before a stop string or the end token. */
  text: string;
  /**
   * Log-prob of each generated token under the policy, `log softmax(logits / temperature)` (temperature 1
   * when greedy), before top-k/top-p filtering: what a GRPO trainer compares its teacher-forced
   * log-probs with.
   */
  logprobs: Float64Array;
  finishReason: 'eos' | 'stop' | 'length';
}

/** An encoded prompt or a conversation to encode. */
export type PromptInput = VlmPrompt | EncodedExample;

const isEncoded = (p: PromptInput): p is EncodedExample => 'ids' in p && p.ids instanceof Int32Array;

/** Encodes prompts that are conversations; encoded ones pass through. */
export function encodePrompts(model: VlmRuntime, prompts: readonly PromptInput[]): Promise<EncodedExample[]> {
  return Promise.all(prompts.map((p) => (isEncoded(p) ? p : encodePrompt(model.tokenizer, model.config, p))));
}

/**
 * Batched sampling with a key/value cache: each prompt is prefilled once (left-padded, so all rows end in
 * the same column), its cache is copied to its `n` rows, and each step feeds one token per row. Returns
 * `result[p][k]`, the `k`-th completion of prompt `p`.
 */
export async function generate(
  model: VlmRuntime,
  prompts: readonly PromptInput[],
  options: GenerateOptions = {},
): Promise<Generation[][]> {
  const n = options.n ?? 1;
  const maxNew = options.maxNewTokens ?? 64;
  const temperature = options.temperature ?? 1;
  const stop = options.stop ?? [];
  // A stop string that the newest token completes lies within the last `stopWindow` tokens (every token
  // decodes to at least one byte), so only that tail is decoded per step, not the whole row.
  const stopWindow = Math.max(0, ...stop.map((s) => Buffer.byteLength(s, 'utf8')));
  if (!(Number.isInteger(n) && n >= 1))
    throw new VlmError(`generate: n must be a positive integer, got ${n}`);
  if (!(Number.isInteger(maxNew) && maxNew >= 1))
    throw new VlmError(`generate: maxNewTokens must be a positive integer, got ${maxNew}`);
  if (!(temperature >= 0)) throw new VlmError(`generate: temperature must be >= 0, got ${temperature}`);
  if (prompts.length === 0) return [];
  const encoded = await encodePrompts(model, prompts);
  const { config, tokenizer } = model;
  const t = config.text;
  const headDim = t.width / t.heads;
  const promptCount = encoded.length;
  const longest = Math.max(...encoded.map((e) => e.ids.length));
  if (longest + maxNew > config.maxLength)
    throw new VlmError(
      `generate: a prompt of ${longest} tokens plus ${maxNew} new tokens exceeds the context of ${config.maxLength}`,
    );
  const length = Math.min(bucket(longest, 16), config.maxLength - maxNew);
  const prefill = prefixFeeds(config, encoded, length, {
    imageTokenId: config.imageTokenId,
    padId: tokenizer.ids.pad,
    align: 'left',
  });
  const first = await model.prefill(prefill.feeds, promptCount, length);

  // The cache: every prompt's prefilled keys and values copied to its n rows, then room for new tokens.
  const rows = promptCount * n;
  const cacheLength = length + maxNew;
  const slot = length * headDim;
  const past: Record<string, Feed> = {};
  for (let i = 0; i < t.layers; i++)
    for (const kind of ['key', 'value'] as const) {
      const present = first[`present.${i}.${kind}`] as Float32Array;
      const cache = new Float32Array(rows * t.heads * cacheLength * headDim);
      for (let r = 0; r < rows; r++)
        for (let h = 0; h < t.heads; h++) {
          const from = (Math.floor(r / n) * t.heads + h) * slot;
          cache.set(present.subarray(from, from + slot), (r * t.heads + h) * cacheLength * headDim);
        }
      past[`past_key_values.${i}.${kind}`] = {
        data: cache,
        shape: [rows, t.heads, cacheLength, headDim],
        dtype: 'float32',
      };
    }
  const mask = new BigInt64Array(rows * cacheLength);
  for (let r = 0; r < rows; r++)
    for (let s = 0; s < length; s++)
      mask[r * cacheLength + s] = BigInt(prefill.mask[Math.floor(r / n) * length + s]);

  const random = Array.from({ length: rows }, (_, r) =>
    mulberry32(seedFromName(`generate/${r}`, options.seed ?? 0)),
  );
  const out = Array.from({ length: rows }, () => ({
    ids: [] as number[],
    logprobs: [] as number[],
    done: null as Generation['finishReason'] | null,
  }));
  const eos = new Set([tokenizer.ids.imEnd, tokenizer.ids.pad]);
  const vocab = config.vocabSize;
  let logits = first.logits as Float32Array;
  let rowOf = (r: number) => Math.floor(r / n); // prefill logits have one row per prompt
  for (let step = 0; step < maxNew; step++) {
    const next = new BigInt64Array(rows);
    for (let r = 0; r < rows; r++) {
      const row = out[r];
      if (row.done) {
        next[r] = BigInt(tokenizer.ids.pad);
        continue;
      }
      const z = logits.subarray(rowOf(r) * vocab, (rowOf(r) + 1) * vocab);
      const { id, logprob } = pick(z, temperature, options, random[r]);
      row.ids.push(id);
      row.logprobs.push(logprob);
      next[r] = BigInt(id);
      if (eos.has(id)) row.done = 'eos';
      else if (stop.length > 0) {
        const tail = tokenizer.decode(row.ids.slice(-stopWindow));
        if (stop.some((s) => tail.includes(s))) row.done = 'stop';
      }
      if (!row.done && row.ids.length === maxNew) row.done = 'length';
    }
    if (out.every((row) => row.done) || step === maxNew - 1) break;
    const positions = new BigInt64Array(rows);
    for (let r = 0; r < rows; r++) {
      positions[r] = BigInt(encoded[Math.floor(r / n)].ids.length + step);
      mask[r * cacheLength + length + step] = 1n;
    }
    const result = await model.decodeStep(
      {
        ...past,
        input_ids: { data: next, shape: [rows, 1], dtype: 'int64' },
        position_ids: { data: positions, shape: [rows, 1], dtype: 'int64' },
        attention_mask: { data: mask, shape: [rows, cacheLength], dtype: 'int64' },
        cache_position: { data: BigInt64Array.of(BigInt(length + step)), shape: [1], dtype: 'int64' },
      },
      rows,
      cacheLength,
    );
    for (let i = 0; i < t.layers; i++)
      for (const kind of ['key', 'value'] as const)
        past[`past_key_values.${i}.${kind}`] = {
          data: result[`present.${i}.${kind}`],
          shape: [rows, t.heads, cacheLength, headDim],
          dtype: 'float32',
        };
    logits = result.logits as Float32Array;
    rowOf = (r) => r;
  }
  return Array.from({ length: promptCount }, (_, p) =>
    out.slice(p * n, (p + 1) * n).map((row): Generation => {
      let text = tokenizer.decode(row.ids.filter((id) => !eos.has(id)));
      for (const s of stop) {
        const at = text.indexOf(s);
        if (at >= 0) text = text.slice(0, at);
      }
      return {
        ids: Int32Array.from(row.ids),
        text,
        logprobs: Float64Array.from(row.logprobs),
        finishReason: row.done ?? 'length',
      };
    }),
  );
}

/** Samples one id; its log-prob is under the temperature-scaled distribution before any filtering. */
function pick(
  logits: Float32Array,
  temperature: number,
  options: GenerateOptions,
  random: () => number,
): { id: number; logprob: number } {
  const scale = temperature === 0 ? 1 : 1 / temperature;
  const logp = logSoftmaxRow(Array.from(logits, (z) => z * scale));
  let id = 0;
  if (temperature === 0) {
    for (let i = 1; i < logp.length; i++) if (logp[i] > logp[id]) id = i;
  } else if ((options.topK ?? 0) > 0 || (options.topP ?? 1) < 1) {
    id = sampleToken(logits, { temperature, topK: options.topK || undefined, topP: options.topP, random }).id;
  } else {
    let u = random();
    id = logp.length - 1;
    for (let i = 0; i < logp.length; i++) {
      u -= Math.exp(logp[i]);
      if (u < 0) {
        id = i;
        break;
      }
    }
  }
  return { id, logprob: logp[id] };
}
