import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from '../src/checkpoint.js';
import { Graph } from '../src/graph.js';
import { linear } from '../src/layers.js';
import * as op from '../src/ops.js';
import { AdamW } from '../src/optim.js';
import { decodeSafetensors, encodeSafetensors } from '../src/safetensors.js';
import { compileTraining, initialValues } from '../src/training.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'onnx-train-ckpt-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('safetensors', () => {
  it('lays out an 8-byte header length, a space-padded JSON header aligned to 8, then raw data', () => {
    const bytes = encodeSafetensors(
      new Map([
        ['a', { dtype: 'F32' as const, shape: [2], data: Float32Array.of(1.5, -2) }],
        ['b', { dtype: 'I64' as const, shape: [1], data: BigInt64Array.of(7n) }],
      ]),
      { note: 'x' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.a).toEqual({ dtype: 'F32', shape: [2], data_offsets: [0, 8] });
    expect(header.b).toEqual({ dtype: 'I64', shape: [1], data_offsets: [8, 16] });
    expect(new Float32Array(bytes.slice(8 + n, 16 + n).buffer)[1]).toBe(-2);
    const back = decodeSafetensors(bytes);
    expect(back.metadata).toEqual({ note: 'x' });
    expect(Array.from(back.tensors.get('b')!.data as BigInt64Array)).toEqual([7n]);
  });

  it('names corrupt files', () => {
    expect(() => decodeSafetensors(new Uint8Array(3), 'f')).toThrow(/f: truncated/);
    const bad = new Uint8Array(16);
    new DataView(bad.buffer).setBigUint64(0, 100n, true);
    expect(() => decodeSafetensors(bad, 'f')).toThrow(/header of 100 bytes runs past the end/);
  });
});

describe('checkpoints', () => {
  /** A small regression model and its data. */
  async function setup() {
    const g = new Graph();
    const x = g.input('x', [16, 3]);
    const t = g.input('t', [16, 1]);
    const y = linear(g, op.tanh(linear(g, x, 'mlp.0', 8, { seed: 1 })), 'mlp.1', 1, { seed: 2 });
    const d = op.sub(y, t);
    const program = await compileTraining(g, op.reduceMean(op.mul(d, d), [0, 1]));
    const feeds = {
      x: {
        data: Float32Array.from({ length: 48 }, (_, i) => Math.sin(i)),
        shape: [16, 3],
        dtype: 'float32' as const,
      },
      t: {
        data: Float32Array.from({ length: 16 }, (_, i) => Math.cos(i)),
        shape: [16, 1],
        dtype: 'float32' as const,
      },
    };
    return { g, program, feeds };
  }

  it('resume continues training with bit-identical losses', async () => {
    const { g, program, feeds } = await setup();
    const params = initialValues(g);
    const opt = new AdamW({ lr: 0.01 });
    const straight: number[] = [];
    const path = join(dir, 'model.safetensors');
    for (let step = 0; step < 10; step++) {
      const { loss, grads } = await program.step(feeds, params);
      straight.push(loss);
      opt.step(params, grads);
      if (step === 4) {
        const shapes = new Map(
          [...g.parameters].map(([k, p]) => [k, { data: params.get(k)!, shape: p.value.shape }]),
        );
        await saveCheckpoint(path, {
          params: shapes,
          optimizer: opt.state(),
          step: 5,
          metadata: { rng: 'seed=0' },
        });
      }
    }
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const ckpt = await loadCheckpoint(path);
    expect(ckpt.step).toBe(5);
    expect(ckpt.metadata.rng).toBe('seed=0');
    const resumed = new Map([...ckpt.params].map(([k, v]) => [k, v.data]));
    const opt2 = new AdamW({ lr: 0.01 });
    opt2.load(ckpt.optimizer!);
    const again: number[] = [];
    for (let step = 5; step < 10; step++) {
      const { loss, grads } = await program.step(feeds, resumed);
      again.push(loss);
      opt2.step(resumed, grads);
    }
    expect(again).toEqual(straight.slice(5));
  });

  it('names a missing or corrupt checkpoint', async () => {
    await expect(loadCheckpoint(join(dir, 'nope.safetensors'))).rejects.toThrow(
      /cannot read checkpoint .*nope\.safetensors: ENOENT/,
    );
    await writeFile(join(dir, 'bad.safetensors'), 'garbage!garbage!');
    await expect(loadCheckpoint(join(dir, 'bad.safetensors'))).rejects.toThrow(/bad\.safetensors: header of/);
  });
});
