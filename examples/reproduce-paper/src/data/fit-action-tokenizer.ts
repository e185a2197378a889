import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { ACTION_DIM } from '@roboalign/bench';
import { chunkEpisodes } from '@roboalign/datasets';
import { loadFastTokenizer } from '@roboalign/fast-tokenizer';
import { progressBar } from '@roboalign/utils';
import {
  ActionTokenizer,
  actionNormStats,
  fitOnChunks,
  loadActionTokenizer,
  NORMALIZATION_FILE,
} from './action-tokenizer.js';
import { DEFAULT_WORKERS } from './generate-sources.js';
import { ACTION_HORIZON, type PoolActions } from './producers.js';
import { UnitPool } from './unit-pool.js';

/** Options of {@link fitActionTokenizer}. */
export interface FitActionTokenizerOptions {
  /** Folder to write the tokenizer into (Hugging Face files and `action-normalization.json`). */
  readonly dir: string;
  /** The pool's seed: the same as the FAST rows', so the tokenizer is fitted on the episodes they come from. */
  readonly seed: number;
  /** Pool episodes (units with at least one completed instruction) to fit on. */
  readonly episodes: number;
  /** Steps per chunk (default 10). */
  readonly horizon?: number;
  /** FAST vocabulary size, over 256 (FAST+'s byte alphabet; default 1024). */
  readonly vocabSize?: number;
  /** DCT coefficient scale (default 10, as FAST). */
  readonly scale?: number;
  /** Worker threads (default 2); ignored when `pool` is given. */
  /**
   * A released FAST tokenizer folder to use instead of fitting one, e.g. FAST+ (`../shared/fast-plus`): the
   * pool then only gives the normalization statistics. Its vocabulary and scale replace `vocabSize` and `scale`.
   */
  readonly pretrained?: string;
  readonly workers?: number;
  readonly pool?: UnitPool;
  readonly progress?: boolean;
}

/**
 * Fits the FAST tokenizer on the action chunks of the FAST pool's training episodes (every window of
 * `horizon` steps) and saves it into `dir`; a folder fitted with the same settings is loaded instead.
 * With `pretrained`, a released tokenizer such as FAST+ (`../shared/fast-plus`) is used with the same
 * normalization instead.
 */
export async function fitActionTokenizer(options: FitActionTokenizerOptions): Promise<ActionTokenizer> {
  const settings = {
    horizon: options.horizon ?? ACTION_HORIZON,
    vocabSize: options.vocabSize ?? 1024,
    scale: options.scale ?? 10,
  };
  const fit = {
    seed: options.seed,
    episodes: options.episodes,
    ...settings,
    ...(options.pretrained ? { pretrained: resolve(options.pretrained) } : {}),
  };
  // Absent: fit. Present but unreadable: report it (a truncated file is a problem to see, not to refit over).
  if (existsSync(join(options.dir, NORMALIZATION_FILE))) {
    const saved = await loadActionTokenizer(options.dir);
    if (isDeepStrictEqual(saved.fit, fit)) return saved.tokenizer;
  }
  const pool = options.pool ?? new UnitPool(options.workers ?? DEFAULT_WORKERS);
  const bar = progressBar({
    label: 'fast-pool',
    total: options.episodes,
    enabled: options.progress !== false,
  });
  let units: PoolActions[];
  try {
    units = await pool.run<PoolActions>(
      {
        source: 'fast-pool',
        name: 'fast-pool',
        seed: options.seed,
        split: 'train',
        imageSize: 64,
        horizon: settings.horizon,
      },
      {
        target: options.episodes,
        measure: (u) => (u.episodes.length > 0 ? 1 : 0),
        onProgress: (n) => bar.update(n),
      },
    );
  } finally {
    bar.stop();
    if (!options.pool) await pool.close();
  }
  const episodes = units.flatMap((u) => u.episodes);
  const chunks = chunkEpisodes(episodes, ACTION_DIM, { horizon: settings.horizon, pad: 'repeat-last' });
  const all = new Float32Array(episodes.reduce((n, e) => n + e.length, 0));
  let offset = 0;
  for (const e of episodes) {
    all.set(e, offset);
    offset += e.length;
  }
  const tokenizer = options.pretrained
    ? new ActionTokenizer(
        await loadFastTokenizer(options.pretrained),
        actionNormStats(all, ACTION_DIM),
        settings.horizon,
        ACTION_DIM,
      )
    : fitOnChunks(chunks, all, ACTION_DIM, settings);
  await tokenizer.save(options.dir, fit);
  return tokenizer;
}
