// The robot data is read through @roboalign/datasets, which depends on this package at runtime. To keep
// the workspace graph acyclic (turbo refuses cycles), fast-tokenizer does not list datasets, not even as a
// devDependency: vitest.config.ts and tsconfig.json map '@roboalign/datasets' to its TypeScript source (and
// '@roboalign/fast-tokenizer' to ours, for the imports inside datasets), so this test needs no build.
import { chunkEpisodes, readBridgeEpisodes, readLeRobotEpisodeFile } from '@roboalign/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FastTokenizer } from '../src/fast-tokenizer.js';
import { fitFastTokenizer } from '../src/fit.js';
import { loadFastTokenizer } from '../src/io/hf-layout.js';
import { computeNormStats, normalize } from '../src/normalize.js';
import { BRIDGE_DIR, FAST_PLUS_DIR, G1_PARQUET, sharedAvailable } from './helpers/shared.js';

function measure(tok: FastTokenizer, chunks: Float64Array[], horizon: number, dim: number) {
  let tokens = 0;
  let maxErr = 0;
  let failures = 0;
  for (const data of chunks) {
    const ids = tok.encode({ data, horizon, dim });
    tokens += ids.length;
    const r = tok.decode([ids], { horizon, dim });
    failures += r.failures.length;
    for (let j = 0; j < data.length; j++) maxErr = Math.max(maxErr, Math.abs(r.actions[0][j] - data[j]));
  }
  return { meanTokens: tokens / chunks.length, maxErr, failures };
}

const haveAll = sharedAvailable(FAST_PLUS_DIR, 'FAST+ tokenizer');

describe.skipIf(!haveAll || !sharedAvailable(BRIDGE_DIR, 'BridgeData V2 debug shard'))(
  'BridgeData V2 (7-D, 5 Hz): tokens per 1-second chunk',
  () => {
    const H = 5;
    const D = 7;
    let chunks: Float64Array[];
    let fastPlus: FastTokenizer;
    beforeAll(async () => {
      const bridge = await readBridgeEpisodes(BRIDGE_DIR, { decodeImages: false });
      expect(bridge).toHaveLength(25);
      const episodes = bridge.map((ep) => Float64Array.from(ep.actions));
      const stats = computeNormStats(Float64Array.from(episodes.flatMap((ep) => Array.from(ep))), D);
      chunks = chunkEpisodes(episodes, D, { horizon: H, stride: 1 }).map((c) => normalize(c, stats));
      fastPlus = await loadFastTokenizer(FAST_PLUS_DIR);
    });

    it('FAST+ needs fewer tokens than naive binning (35) and round-trips within the bound', () => {
      const r = measure(fastPlus, chunks, H, D);
      console.log(
        `[bridge] ${chunks.length} chunks: FAST+ ${r.meanTokens.toFixed(2)} tokens/chunk vs naive ${H * D}; max abs error ${r.maxErr.toFixed(4)} (normalized)`,
      );
      expect(r.failures).toBe(0);
      expect(r.meanTokens).toBeLessThan(H * D);
      expect(r.maxErr).toBeLessThanOrEqual((Math.sqrt(H) * 0.5) / 10);
    });

    it('a tokenizer fitted on the same chunks compresses them further', () => {
      const fitted = fitFastTokenizer(
        chunks.map((data) => ({ data, horizon: H, dim: D })),
        { vocabSize: 1024 },
      );
      const r = measure(fitted, chunks, H, D);
      console.log(
        `[bridge] fitted (vocab ${fitted.bpe.vocabSize}): ${r.meanTokens.toFixed(2)} tokens/chunk (in-sample)`,
      );
      expect(r.failures).toBe(0);
      expect(r.meanTokens).toBeLessThan(measure(fastPlus, chunks, H, D).meanTokens);
    });
  },
);

describe.skipIf(!haveAll || !sharedAvailable(G1_PARQUET, 'Unitree G1 episode'))(
  'Unitree G1 (26-D, 30 Hz): tokens per 1-second chunk',
  () => {
    const H = 30;
    const D = 26;
    it('FAST+ compresses 780 values per second and round-trips within the bound', async () => {
      const episode = await readLeRobotEpisodeFile(G1_PARQUET, { decodeImages: false });
      expect([episode.length, episode.actionDim]).toEqual([479, D]);
      const actions = Float64Array.from(episode.actions);
      const stats = computeNormStats(actions, D);
      const chunks = chunkEpisodes([normalize(actions, stats)], D, { horizon: H, stride: 10 });
      const r = measure(await loadFastTokenizer(FAST_PLUS_DIR), chunks, H, D);
      console.log(
        `[g1] ${chunks.length} chunks: FAST+ ${r.meanTokens.toFixed(1)} tokens/chunk vs naive ${H * D}; max abs error ${r.maxErr.toFixed(4)} (normalized)`,
      );
      expect(r.failures).toBe(0);
      expect(r.meanTokens).toBeLessThan(H * D);
      expect(r.maxErr).toBeLessThanOrEqual((Math.sqrt(H) * 0.5) / 10);
    });
  },
);
