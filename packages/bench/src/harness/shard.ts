import { BenchError } from '../errors.js';

/** One share of an evaluation: shard `index` of `count`, numbered from 0 (`0 ≤ index < count`). */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

function checkShard(index: number, count: number, where: string): void {
  if (!Number.isInteger(count) || count < 1)
    throw new BenchError(`${where}: the shard count must be an integer ≥ 1, got ${count}`);
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw new BenchError(
      `${where}: the shard index must be an integer in 0..${count - 1} (shards are numbered from 0), got ${index}`,
    );
}

/**
 * The items of shard `index` of `count`: round robin over `items`, so item `k` belongs to shard `k mod count`.
 * Every item is in exactly one shard, shard sizes differ by at most one, and on a task-major list of episodes
 * each shard gets a mix of tasks (of similar total length). Pure: the same list always splits the same way.
 *
 * @example
 * shardOf(['a', 'b', 'c', 'd', 'e'], 1, 2); // ['b', 'd']
 */
export function shardOf<T>(items: readonly T[], index: number, count: number): T[] {
  checkShard(index, count, 'shardOf');
  return items.filter((_, k) => k % count === index);
}

/**
 * Parses `INDEX/COUNT` as the CLI's `--shard` takes it: 0-based, `0/4` … `3/4` (Slurm's
 * `--shard $SLURM_ARRAY_TASK_ID/4` with `--array=0-3`). Throws a {@link BenchError} naming `flag` and the text.
 */
export function parseShard(text: string, flag = '--shard'): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!match) throw new BenchError(`${flag} must be INDEX/COUNT, 0-based (e.g. 0/4 … 3/4), got "${text}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(count) || count < 1)
    throw new BenchError(`${flag} ${text}: the shard count must be at least 1`);
  if (!Number.isSafeInteger(index) || index >= count)
    throw new BenchError(
      `${flag} ${text}: the shard index must be in 0..${count - 1} (shards are numbered from 0, so the last of ${count} is ${count - 1}/${count})`,
    );
  return { index, count };
}

/** `i/n`, as the CLI writes a shard. */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}
