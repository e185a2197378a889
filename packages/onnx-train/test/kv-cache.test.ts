import { describe, expect, it } from 'vitest';
import { Graph, type Value } from '../src/graph.js';
import {
  cachedTransformerBlock,
  embedding,
  layerNorm,
  learnedPositionAt,
  learnedPositions,
  linear,
  transformerBlock,
} from '../src/layers.js';
import { toOnnx } from '../src/onnx-export.js';
import { createSession, type Feed } from '../src/runtime.js';
import { initialValues } from '../src/training.js';

const B = 2;
const T = 6;
const D = 8;
const H = 2;
const V = 11;
const LAYERS = 2;
const block = { heads: H, causal: true, mlpRatio: 2, seed: 4 } as const;

describe('key/value-cache decoding', () => {
  it('gives the same logits step by step as the full-sequence forward', async () => {
    // Full sequence.
    const full = new Graph();
    const ids = full.input('ids', [B, T], 'int64');
    let h = learnedPositions(full, embedding(full, ids, 'tok', V, D, { seed: 4 }), 'pos', { seed: 4 });
    for (let l = 0; l < LAYERS; l++) h = transformerBlock(full, h, `blocks.${l}`, block);
    const logits = linear(full, layerNorm(full, h, 'ln_f'), 'head', V, { bias: false, seed: 4 });
    const values = initialValues(full);
    const tokens = BigInt64Array.from({ length: B * T }, (_, i) => BigInt((i * 5 + 3) % V));
    const fullSession = await createSession(
      toOnnx(full, { outputs: [logits], parameters: 'initializers', values }),
    );
    const expected = (await fullSession.run({ ids: { data: tokens, shape: [B, T], dtype: 'int64' } }))[
      logits.name
    ] as Float32Array;

    // One step with a cache.
    const step = new Graph();
    const token = step.input('token', [B, 1], 'int64');
    const position = step.input('position', [1], 'int64');
    const writeMask = step.input('writeMask', [1, 1, T, 1]);
    const validMask = step.input('validMask', [B, T]);
    let x = learnedPositionAt(step, embedding(step, token, 'tok', V, D, { seed: 4 }), 'pos', T, position);
    const present: Value[] = [];
    for (let l = 0; l < LAYERS; l++) {
      const cache = {
        pastKey: step.input(`past.${l}.key`, [B, H, T, D / H]),
        pastValue: step.input(`past.${l}.value`, [B, H, T, D / H]),
        writeMask,
        validMask,
      };
      const out = cachedTransformerBlock(step, x, `blocks.${l}`, { ...block, cache });
      x = out.output;
      present.push(out.key, out.value);
    }
    const stepLogits = linear(step, layerNorm(step, x, 'ln_f'), 'head', V, { bias: false });
    expect([...step.parameters.keys()].sort()).toEqual([...full.parameters.keys()].sort());
    const stepSession = await createSession(
      toOnnx(step, { outputs: [stepLogits, ...present], parameters: 'initializers', values }),
    );

    const cacheSize = B * H * T * (D / H);
    let caches: Float32Array[] = present.map(() => new Float32Array(cacheSize));
    for (let t = 0; t < T; t++) {
      const feeds: Record<string, Feed> = {
        token: {
          data: BigInt64Array.from({ length: B }, (_, b) => tokens[b * T + t]),
          shape: [B, 1],
          dtype: 'int64',
        },
        position: { data: BigInt64Array.of(BigInt(t)), shape: [1], dtype: 'int64' },
        writeMask: {
          data: Float32Array.from({ length: T }, (_, k) => (k === t ? 1 : 0)),
          shape: [1, 1, T, 1],
          dtype: 'float32',
        },
        validMask: {
          data: Float32Array.from({ length: B * T }, (_, i) => (i % T <= t ? 1 : 0)),
          shape: [B, T],
          dtype: 'float32',
        },
      };
      for (let l = 0; l < LAYERS; l++) {
        feeds[`past.${l}.key`] = { data: caches[2 * l], shape: [B, H, T, D / H], dtype: 'float32' };
        feeds[`past.${l}.value`] = { data: caches[2 * l + 1], shape: [B, H, T, D / H], dtype: 'float32' };
      }
      const out = await stepSession.run(feeds);
      const got = out[stepLogits.name] as Float32Array;
      for (let b = 0; b < B; b++) {
        for (let v = 0; v < V; v++) expect(got[b * V + v]).toBeCloseTo(expected[(b * T + t) * V + v], 4);
      }
      caches = present.map((p) => out[p.name] as Float32Array);
    }
  });
});
