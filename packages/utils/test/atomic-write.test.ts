import fs from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFileAtomic, writeJsonAtomic } from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'utils-atomic-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

describe('writeFileAtomic', () => {
  it('writes bytes larger than one write call in chunks, exactly, and leaves no temporary file', async () => {
    const path = join(dir, 'big.bin');
    await writeFile(path, 'old');
    const whole = Uint8Array.from({ length: 1003 }, (_, i) => (i * 31) % 251);
    const view = whole.subarray(3, 1003); // 1,000 bytes in chunks of 64: 15 full and one of 40
    await writeFileAtomic(path, view, { chunkBytes: 64 });
    expect(new Uint8Array(await readFile(path))).toEqual(view);
    expect(await readdir(dir)).toEqual(['big.bin']);
  });

  it('keeps the previous file when a chunked write fails, and names a bad chunk size', async () => {
    const path = join(dir, 'big.bin');
    await writeFile(path, 'old');
    // A non-empty folder at the target: the chunks are written, the rename fails, the temporary file goes.
    const occupied = join(dir, 'occupied');
    await mkdir(occupied);
    await writeFile(join(occupied, 'keep'), 'k');
    await expect(writeFileAtomic(occupied, new Uint8Array(100), { chunkBytes: 8 })).rejects.toThrow();
    expect((await readdir(dir)).sort()).toEqual(['big.bin', 'occupied']);
    expect(await readFile(join(occupied, 'keep'), 'utf8')).toBe('k');
    expect(await readFile(path, 'utf8')).toBe('old');
    await expect(writeFileAtomic(path, new Uint8Array(10), { chunkBytes: 0 })).rejects.toThrow(/chunkBytes/);
    expect(await readFile(path, 'utf8')).toBe('old');
  });

  it('writes text and creates the parent folders', async () => {
    const path = join(dir, 'a', 'b', 'out.txt');
    await writeFileAtomic(path, 'héllo');
    expect(await readFile(path, 'utf8')).toBe('héllo');
  });

  it('writes exactly the bytes of a view, not the whole buffer under it', async () => {
    const path = join(dir, 'out.bin');
    const whole = Uint8Array.from([9, 9, 1, 2, 3, 9]);
    await writeFileAtomic(path, whole.subarray(2, 5));
    expect([...(await readFile(path))]).toEqual([1, 2, 3]);
  });

  it('replaces an existing file', async () => {
    const path = join(dir, 'out.txt');
    await writeFile(path, 'old');
    await writeFileAtomic(path, 'new');
    expect(await readFile(path, 'utf8')).toBe('new');
  });

  it('leaves the previous file intact and no temporary file when the rename fails', async () => {
    const path = join(dir, 'out.txt');
    await writeFile(path, 'previous');
    const written: string[] = [];
    const realRename = fs.rename;
    // Fail between the write of the temporary file and its rename; record what had been written.
    vi.spyOn(fs, 'rename').mockImplementation(((
      from: fs.PathLike,
      _to: fs.PathLike,
      cb: fs.NoParamCallback,
    ) => {
      written.push(fs.readFileSync(from, 'utf8'));
      cb(Object.assign(new Error('injected rename failure'), { code: 'EIO' }));
    }) as typeof realRename);
    await expect(writeFileAtomic(path, 'next')).rejects.toThrow('injected rename failure');
    expect(written).toEqual(['next']);
    expect(await readFile(path, 'utf8')).toBe('previous');
    expect(await readdir(dir)).toEqual(['out.txt']);
  });

  it('leaves the previous file intact when the write itself fails', async () => {
    const path = join(dir, 'out.txt');
    await writeFile(path, 'previous');
    const realWrite = fs.write;
    vi.spyOn(fs, 'write').mockImplementation(((...args: unknown[]) => {
      const cb = args[args.length - 1] as (err: Error) => void;
      cb(new Error('injected write failure'));
    }) as typeof realWrite);
    await expect(writeFileAtomic(path, 'next')).rejects.toThrow('injected write failure');
    expect(await readFile(path, 'utf8')).toBe('previous');
    expect(await readdir(dir)).toEqual(['out.txt']);
  });
});

describe('writeJsonAtomic', () => {
  it('writes JSON that reads back equal', async () => {
    const path = join(dir, 'state', 'step.json');
    const value = { step: 3, lr: 1e-4, names: ['a', 'b'] };
    await writeJsonAtomic(path, value);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(value);
  });
});
