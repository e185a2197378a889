import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fileUnitMemo, NO_UNIT_MEMO } from '../../src/pipeline/unit-memo.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function memoPath(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'unit-memo-'));
  dirs.push(dir);
  return join(dir, 'units', 'vla-base.json');
}

/** A unit that counts how often it was computed. */
function counted<T>(value: T): { compute: () => Promise<T>; calls: () => number } {
  let calls = 0;
  return {
    compute: async () => {
      calls++;
      return value;
    },
    calls: () => calls,
  };
}

describe('fileUnitMemo', () => {
  it('computes a unit once per run id and gives the recorded value back, in this process and the next', async () => {
    const path = await memoPath();
    const head = counted({ loss: 0.25, results: [true, false] });
    const memo = await fileUnitMemo(path, 'hash-a');
    expect(await memo.run('head 0', head.compute)).toEqual({ loss: 0.25, results: [true, false] });
    expect(await memo.run('head 0', head.compute)).toEqual({ loss: 0.25, results: [true, false] });
    expect(head.calls()).toBe(1);
    // A new process (the stage resumed) reads the file.
    const resumed = await fileUnitMemo(path, 'hash-a');
    expect(await resumed.run('head 0', head.compute)).toEqual({ loss: 0.25, results: [true, false] });
    expect(head.calls()).toBe(1);
    expect(await resumed.run('head 1', async () => 7)).toBe(7);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({
      runId: 'hash-a',
      units: { 'head 0': { loss: 0.25, results: [true, false] }, 'head 1': 7 },
    });
    // Written atomically: no temporary file is left beside it.
    expect(await readdir(join(path, '..'))).toEqual(['vla-base.json']);
  });

  it('ignores units of another run id (other code, configuration or inputs) and drops them at the next write', async () => {
    const path = await memoPath();
    await (await fileUnitMemo(path, 'hash-a')).run('head 0', async () => 1);
    const other = await fileUnitMemo(path, 'hash-b');
    const head = counted(2);
    expect(await other.run('head 0', head.compute)).toBe(2);
    expect(head.calls()).toBe(1);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ runId: 'hash-b', units: { 'head 0': 2 } });
  });

  it('records nothing for a unit that fails, so it is computed again', async () => {
    const path = await memoPath();
    const memo = await fileUnitMemo(path, 'hash-a');
    await expect(
      memo.run('head 0', async () => {
        throw new Error('killed');
      }),
    ).rejects.toThrow('killed');
    expect(existsSync(path)).toBe(false);
    expect(await memo.run('head 0', async () => 3)).toBe(3);
  });

  it('names a file that is not a unit memo instead of overwriting it', async () => {
    const path = await memoPath();
    await (await fileUnitMemo(path, 'a')).run('u', async () => 1);
    await writeFile(path, '{"runId": "a", "units": {');
    await expect(fileUnitMemo(path, 'a')).rejects.toThrow(`${path} is not a unit memo (`);
    await writeFile(path, '[1, 2]');
    await expect(fileUnitMemo(path, 'a')).rejects.toThrow(
      `${path} is not a unit memo (no runId and units); delete it to recompute its units`,
    );
    expect(await readFile(path, 'utf8')).toBe('[1, 2]');
  });
});

describe('NO_UNIT_MEMO', () => {
  it('computes every unit every time', async () => {
    const head = counted(1);
    await NO_UNIT_MEMO.run('head 0', head.compute);
    await NO_UNIT_MEMO.run('head 0', head.compute);
    expect(head.calls()).toBe(2);
  });
});
