// saveCheckpoint must never leave a half-written or missing checkpoint: a failure between writing the new
// bytes and putting them in place has to leave the previous checkpoint loadable and unchanged. The failure
// is injected at the rename, whichever way the atomic write reaches it (callback, sync or promise API, from
// CommonJS or ESM), so the test does not depend on how writeFileAtomic is implemented.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CheckpointData, loadCheckpoint, saveCheckpoint } from '../src/checkpoint.js';

let dir: string;
beforeEach(async () => {
  dir = await fsp.mkdtemp(join(tmpdir(), 'onnx-train-atomic-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  syncBuiltinESMExports();
  await fsp.rm(dir, { recursive: true, force: true });
});

function checkpoint(step: number, scale: number): CheckpointData {
  return {
    params: new Map([
      ['w', { data: Float32Array.from({ length: 12 }, (_, i) => scale * Math.sin(i)), shape: [3, 4] }],
      ['b', { data: Float64Array.from({ length: 4 }, (_, i) => scale * i), shape: [4] }],
    ]),
    optimizer: {
      step,
      m: new Map([['w', Float64Array.from({ length: 12 }, (_, i) => scale * i * 1e-3)]]),
      v: new Map([['w', Float64Array.from({ length: 12 }, (_, i) => scale * i * 1e-6)]]),
    },
    step,
    metadata: { note: `step ${step}` },
  };
}

/**
 * Makes every rename fail with EIO, after noting which temporary file it was asked to move and whether
 * that file already held the complete new checkpoint (so the failure really falls between write and rename).
 */
function failRenames(): { attempts: Array<{ from: string; bytes: number }> } {
  const attempts: Array<{ from: string; bytes: number }> = [];
  const note = (from: fs.PathLike) => {
    attempts.push({ from: String(from), bytes: fs.statSync(from).size });
    return Object.assign(new Error('injected rename failure'), { code: 'EIO' });
  };
  vi.spyOn(fs, 'rename').mockImplementation(((
    from: fs.PathLike,
    _to: fs.PathLike,
    cb: fs.NoParamCallback,
  ) => {
    const err = note(from);
    process.nextTick(() => cb(err));
  }) as typeof fs.rename);
  vi.spyOn(fs, 'renameSync').mockImplementation((from: fs.PathLike) => {
    throw note(from);
  });
  vi.spyOn(fsp, 'rename').mockImplementation(async (from: fs.PathLike) => {
    throw note(from);
  });
  // ESM named imports of node:fs / node:fs/promises see the spies only after this.
  syncBuiltinESMExports();
  return { attempts };
}

async function expectSame(path: string, want: CheckpointData): Promise<void> {
  const got = await loadCheckpoint(path);
  expect(got.step).toBe(want.step);
  expect(got.metadata.note).toBe(want.metadata?.note);
  for (const [name, p] of want.params) {
    expect(got.params.get(name)?.shape).toEqual([...p.shape]);
    expect(Array.from(got.params.get(name)!.data)).toEqual(Array.from(p.data));
  }
  expect(got.optimizer?.step).toBe(want.optimizer?.step);
  expect(Array.from(got.optimizer!.m.get('w')!)).toEqual(Array.from(want.optimizer!.m.get('w')!));
  expect(Array.from(got.optimizer!.v.get('w')!)).toEqual(Array.from(want.optimizer!.v.get('w')!));
}

describe('saveCheckpoint is atomic', () => {
  it('keeps the previous checkpoint intact when the new one cannot be moved into place', async () => {
    const path = join(dir, 'ckpt.safetensors');
    const previous = checkpoint(7, 1);
    await saveCheckpoint(path, previous);
    const before = await fsp.readFile(path);

    const { attempts } = failRenames();
    await expect(saveCheckpoint(path, checkpoint(8, -3))).rejects.toThrow(/injected rename failure/);
    vi.restoreAllMocks();
    syncBuiltinESMExports();

    // The failure fell between write and rename: a complete temporary file existed, beside the target.
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts[0].from).not.toBe(path);
    expect(attempts[0].bytes).toBeGreaterThan(before.length / 2);
    // The previous checkpoint is byte-for-byte what it was, and loads to the same values.
    expect((await fsp.readFile(path)).equals(before)).toBe(true);
    await expectSame(path, previous);
    // Nothing else is left in the folder (the temporary file was removed).
    expect(await fsp.readdir(dir)).toEqual(['ckpt.safetensors']);
  });

  it('still replaces the checkpoint when nothing fails', async () => {
    const path = join(dir, 'ckpt.safetensors');
    await saveCheckpoint(path, checkpoint(7, 1));
    const next = checkpoint(8, -3);
    await saveCheckpoint(path, next);
    await expectSame(path, next);
  });
});
