import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendJsonl } from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'utils-jsonl-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('appendJsonl', () => {
  it('appends one JSON value per line, creating the folders', async () => {
    const path = join(dir, 'runs', '1', 'metrics.jsonl');
    await appendJsonl(path, { step: 1, loss: 0.5 });
    await appendJsonl(path, { step: 2, loss: 0.25 });
    expect(await readFile(path, 'utf8')).toBe('{"step":1,"loss":0.5}\n{"step":2,"loss":0.25}\n');
  });

  it('refuses a value without a JSON form instead of writing "undefined"', async () => {
    await expect(appendJsonl(join(dir, 'm.jsonl'), undefined)).rejects.toThrow(/no JSON form/);
  });
});
