// Resumable state belongs to one stage hash: a changed configuration never continues an old checkpoint; a bad
// configuration is named before anything is written.
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimRunFolder } from '../../src/pipeline/language-models.js';
import { PIPELINE_PRESETS } from '../../src/pipeline/presets.js';
import { runPipeline } from '../../src/pipeline/run.js';

describe('claimRunFolder', () => {
  it('keeps the checkpoint of the same run and deletes that of another', async () => {
    const out = await mkdtemp(join(tmpdir(), 'run-folder-'));
    const checkpoint = join(out, 'checkpoint.safetensors');
    await writeFile(checkpoint, 'old run');
    await claimRunFolder(out, 'hash-a', ['checkpoint.safetensors']);
    // No marker: the checkpoint's run is unknown, so it cannot be trusted.
    expect(existsSync(checkpoint)).toBe(false);
    await writeFile(checkpoint, 'run a, interrupted');
    await claimRunFolder(out, 'hash-a', ['checkpoint.safetensors']);
    expect(existsSync(checkpoint)).toBe(true);
    await claimRunFolder(out, 'hash-b', ['checkpoint.safetensors']);
    expect(existsSync(checkpoint)).toBe(false);
  });
});

describe('runPipeline', () => {
  it('names a FAST share outside (0, 1) before any stage runs, and writes nothing', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'run-share-')), 'run');
    for (const fastShare of [0, 1, 1.5, Number.NaN])
      await expect(
        runPipeline({ preset: { ...PIPELINE_PRESETS.smoke, fastShare }, out, device: 'cpu', log: () => {} }),
      ).rejects.toThrow(`preset smoke: fastShare must be in (0, 1), got ${fastShare}`);
    expect(existsSync(out)).toBe(false);
  });
});
