import { cp, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fastTokenizerFromHf, loadFastTokenizer, saveFastTokenizer } from '../src/io/hf-layout.js';
import { mulberry32, smoothChunk } from './helpers/random.js';
import { FAST_PLUS_DIR, sharedAvailable } from './helpers/shared.js';

describe.skipIf(!sharedAvailable(FAST_PLUS_DIR, 'FAST+ tokenizer'))('Hugging Face layout', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fast-layout-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('saves FAST+ and loads it back with identical ids, leaving no temporary files', async () => {
    const fast = await loadFastTokenizer(FAST_PLUS_DIR);
    await saveFastTokenizer(fast, join(dir, 'copy'));
    expect((await readdir(join(dir, 'copy'))).sort()).toEqual([
      'processor_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const again = await loadFastTokenizer(join(dir, 'copy'));
    expect(again.config).toEqual(fast.config);
    const rand = mulberry32(3);
    for (let i = 0; i < 50; i++) {
      const chunk = { data: smoothChunk(rand, 10, 7), horizon: 10, dim: 7 };
      expect(again.encode(chunk)).toEqual(fast.encode(chunk));
    }
  });

  it('names the missing file of an incomplete directory', async () => {
    await expect(loadFastTokenizer(dir)).rejects.toThrow(
      /missing .*processor_config\.json: is this a FAST tokenizer directory\?/,
    );
  });

  it('names a corrupt file', async () => {
    await cp(FAST_PLUS_DIR, dir, { recursive: true });
    await writeFile(join(dir, 'tokenizer.json'), '{"model": ');
    await expect(loadFastTokenizer(dir)).rejects.toThrow(/corrupt .*tokenizer\.json/);
  });

  it('works without tokenizer_config.json (clean-up off, transformers default)', async () => {
    await cp(join(FAST_PLUS_DIR, 'tokenizer.json'), join(dir, 'tokenizer.json'));
    await cp(join(FAST_PLUS_DIR, 'processor_config.json'), join(dir, 'processor_config.json'));
    expect((await loadFastTokenizer(dir)).config.cleanUpTokenizationSpaces).toBe(false);
  });
});

describe('fastTokenizerFromHf validation', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['not an object', [], /processor_config\.json: expected a JSON object/],
    ['no scale', { min_token: 0 }, /"scale" must be a positive number, got undefined/],
    ['negative scale', { scale: -1, min_token: 0 }, /"scale" must be a positive number, got -1/],
    ['fractional min_token', { scale: 10, min_token: 0.5 }, /"min_token" must be an integer, got 0.5/],
  ];
  it.each(cases)('rejects a processor config that is %s', (_name, processorConfig, message) => {
    expect(() => fastTokenizerFromHf({ processorConfig, tokenizer: {} }, 'dir')).toThrow(message);
  });

  it('rejects a bad time_horizon and a bad clean-up flag', () => {
    const tokenizer = {
      model: { type: 'BPE', vocab: { a: 0 }, merges: [] },
      pre_tokenizer: { type: 'ByteLevel' },
    };
    expect(() =>
      fastTokenizerFromHf({ processorConfig: { scale: 1, min_token: 0, time_horizon: 0 }, tokenizer }, 'dir'),
    ).toThrow(/"time_horizon" must be a positive integer or null, got 0/);
    expect(() =>
      fastTokenizerFromHf(
        {
          processorConfig: { scale: 1, min_token: 0 },
          tokenizer,
          tokenizerConfig: { clean_up_tokenization_spaces: 'yes' },
        },
        'dir',
      ),
    ).toThrow(/"clean_up_tokenization_spaces" must be true or false/);
  });
});
