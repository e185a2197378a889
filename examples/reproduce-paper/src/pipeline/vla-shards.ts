import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { formatShard, shardFileName, shardOf } from '@roboalign/bench';
import { writeJsonAtomic } from '@roboalign/utils';
import {
  plannedVlaChains,
  plannedVlaEpisodes,
  type VlaChainKey,
  type VlaEpisodeKey,
  type VlaPlan,
  type VlaScores,
  type VlaShardOutput,
  vlaResultKey,
  vlaScores,
} from './vla.js';

/** The `format` of a VLA shard file. */
export const VLA_SHARD_FORMAT = 'roboalign-vla-shard';
const VLA_SHARD_FORMAT_VERSION = 1;
/** Bench's shard file names (`shard-<i>-of-<n>.json`), as {@link shardFileName} writes them. */
const SHARD_FILE = /^shard-(\d+)-of-(\d+)\.json$/;

/** A VLA shard output read back from disk, with the file it came from. */
export interface LoadedVlaShard extends VlaShardOutput {
  source: string;
}

/** Options of {@link mergeVlaShards}. */
export interface MergeVlaOptions {
  /**
   * Largest relative difference allowed between two shards' head losses and probe figures (default 0:
   * equal). Heads are deterministic given their seed on one machine; shards on different hardware (GPU
   * kernels) may train heads that differ in the last digits, and then the merged run is not one run's.
   */
  tolerance?: number;
}

function name(s: VlaShardOutput | LoadedVlaShard): string {
  return 'source' in s ? `${s.source} (shard ${formatShard(s.shard)})` : `shard ${formatShard(s.shard)}`;
}

function listSome(items: readonly string[]): string {
  return items.length <= 5
    ? items.join(', ')
    : `${items.slice(0, 5).join(', ')} and ${items.length - 5} more`;
}

/** The plan fields in which `a` and `b` differ, as `field a vs b`. */
function planDifferences(a: VlaPlan, b: VlaPlan): string[] {
  const fields = [...new Set([...Object.keys(a), ...Object.keys(b)])] as (keyof VlaPlan)[];
  return fields
    .filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]))
    .map((f) => `${f} ${JSON.stringify(a[f])} vs ${JSON.stringify(b[f])}`);
}

/** The object probe's figures, or none where it was not fitted (no environment states, or an older file). */
function objectProbeFigures(s: VlaShardOutput): Array<[string, number]> {
  const p = s.probe;
  if (typeof p?.objectR2 !== 'number' || !p.objectCi95 || typeof p.objectLambda !== 'number') return [];
  return [
    ['probe.objectR2', p.objectR2],
    ['probe.objectCi95[0]', p.objectCi95[0]],
    ['probe.objectCi95[1]', p.objectCi95[1]],
    ['probe.objectLambda', p.objectLambda],
  ];
}

/** The heads' figures in which `a` and `b` differ by more than `tolerance` (relative), named. */
function headDifferences(a: VlaShardOutput, b: VlaShardOutput, tolerance: number): string[] {
  const close = (x: number, y: number) =>
    Object.is(x, y) || Math.abs(x - y) <= tolerance * Math.max(Math.abs(x), Math.abs(y));
  const figures = (s: VlaShardOutput): Array<[string, number]> => [
    ...s.headLoss.libero.map((v, i): [string, number] => [`headLoss.libero[${i}]`, v]),
    ...s.headLoss.calvin.map((v, i): [string, number] => [`headLoss.calvin[${i}]`, v]),
    ...(s.probe
      ? ([
          ['probe.actionR2', s.probe.actionR2],
          ['probe.ci95[0]', s.probe.ci95[0]],
          ['probe.ci95[1]', s.probe.ci95[1]],
          ['probe.lambda', s.probe.lambda],
        ] as Array<[string, number]>)
      : []),
    ...objectProbeFigures(s),
  ];
  const fa = figures(a);
  const fb = new Map(figures(b));
  const differ: string[] = [];
  if ((a.probe === null) !== (b.probe === null))
    differ.push(`probe ${a.probe === null ? 'none' : 'fitted'} vs ${b.probe === null ? 'none' : 'fitted'}`);
  // Shards that read demonstrations with and without environment states (older recordings) differ here.
  const object = (s: VlaShardOutput) => (objectProbeFigures(s).length > 0 ? 'fitted' : 'none');
  if (a.probe !== null && b.probe !== null && object(a) !== object(b))
    differ.push(`probe.objectR2 ${object(a)} vs ${object(b)}`);
  if (
    a.headLoss.libero.length !== b.headLoss.libero.length ||
    a.headLoss.calvin.length !== b.headLoss.calvin.length
  )
    differ.push(
      `head losses for ${a.headLoss.libero.length}+${a.headLoss.calvin.length} vs ${b.headLoss.libero.length}+${b.headLoss.calvin.length} heads`,
    );
  for (const [key, x] of fa) {
    const y = fb.get(key);
    if (y !== undefined && !close(x, y)) differ.push(`${key} ${x} vs ${y}`);
  }
  return differ;
}

/** Checks that `got` is exactly shard `s`'s share of `planned`; throws naming what is doubled, lacking or extra. */
function checkShare(
  s: VlaShardOutput,
  what: string,
  planned: readonly (VlaEpisodeKey | VlaChainKey)[],
  got: readonly (VlaEpisodeKey | VlaChainKey)[],
): void {
  const expected = shardOf(planned.map(vlaResultKey), s.shard.index, s.shard.count);
  const keys = got.map(vlaResultKey);
  const seen = new Set<string>();
  const twice = keys.filter((k) => seen.has(k) || !seen.add(k));
  if (twice.length > 0) throw new Error(`mergeVlaShards: ${name(s)} lists ${listSome(twice)} twice`);
  const want = new Set(expected);
  const extra = keys.filter((k) => !want.has(k));
  const lacking = expected.filter((k) => !seen.has(k));
  if (extra.length > 0 || lacking.length > 0)
    throw new Error(
      `mergeVlaShards: ${name(s)} does not hold its share of the ${what}${lacking.length ? `; it lacks ${listSome(lacking)}` : ''}${extra.length ? `; it has ${listSome(extra)}, which are not its share` : ''}`,
    );
}

/**
 * Combines the outputs of shards `0/n` … `n−1/n` of one VLA benchmark ({@link benchmarkVlaShard}) into the
 * scores the unsharded `benchmarkVla` gives: the results put back in the unsharded order and scored by the
 * same {@link vlaScores} (so the Wilson and bootstrap intervals and the paired lists are the same). The head
 * losses and the probe are shard 0's, after checking every shard has the same. Pure: no I/O.
 *
 * Throws, naming the shards, when there are none, when they were split differently, when a shard is given
 * twice or is missing, when their plans differ (naming the fields), when their heads differ (beyond
 * `options.tolerance`), or when a shard's results are not exactly its share.
 */
export function mergeVlaShards(
  outputs: readonly (VlaShardOutput | LoadedVlaShard)[],
  options: MergeVlaOptions = {},
): VlaScores {
  if (outputs.length === 0) throw new Error('mergeVlaShards: no shard outputs to merge');
  const first = outputs[0];
  const count = first.shard.count;
  for (const s of outputs)
    if (s.shard.count !== count)
      throw new Error(
        `mergeVlaShards: the shards were split differently: ${name(first)} is one of ${count}, ${name(s)} one of ${s.shard.count}`,
      );
  const byIndex = new Map<number, VlaShardOutput | LoadedVlaShard>();
  for (const s of outputs) {
    if (!Number.isInteger(s.shard.index) || s.shard.index < 0 || s.shard.index >= count)
      throw new Error(`mergeVlaShards: ${name(s)} is not a shard of ${count} (index 0..${count - 1})`);
    const held = byIndex.get(s.shard.index);
    if (held)
      throw new Error(
        `mergeVlaShards: shard ${formatShard(s.shard)} is given twice: ${name(held)} and ${name(s)}`,
      );
    byIndex.set(s.shard.index, s);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0)
    throw new Error(
      `mergeVlaShards: missing ${missing.length} of ${count} shards: ${listSome(missing.map((i) => `${i}/${count}`))}`,
    );
  const ordered = Array.from({ length: count }, (_, i) => byIndex.get(i)!);
  const base = ordered[0];
  const tolerance = options.tolerance ?? 0;
  for (const s of ordered.slice(1)) {
    const plans = planDifferences(base.plan, s.plan);
    if (plans.length > 0)
      throw new Error(
        `mergeVlaShards: ${name(base)} and ${name(s)} are shards of different VLA benchmarks: ${plans.join(', ')}`,
      );
    const heads = headDifferences(base, s, tolerance);
    if (heads.length > 0)
      throw new Error(
        `mergeVlaShards: ${name(base)} and ${name(s)} trained different heads (tolerance ${tolerance}): ${listSome(heads)}`,
      );
  }
  const plannedEpisodes = plannedVlaEpisodes(base.plan);
  const plannedChains = plannedVlaChains(base.plan);
  for (const s of ordered)
    if (s.planned.episodes !== plannedEpisodes.length || s.planned.chains !== plannedChains.length)
      throw new Error(
        `mergeVlaShards: ${name(s)} says the run has ${s.planned.episodes} episodes and ${s.planned.chains} chains, but its plan has ${plannedEpisodes.length} and ${plannedChains.length}`,
      );
  for (const s of ordered) {
    checkShare(s, 'episodes', plannedEpisodes, s.episodes);
    checkShare(s, 'chains', plannedChains, s.chains);
  }
  return vlaScores({
    plan: base.plan,
    episodes: ordered.flatMap((s) => s.episodes),
    chains: ordered.flatMap((s) => s.chains),
    headLoss: base.headLoss,
    probe: base.probe,
  });
}

/**
 * Writes a shard output into `dir` as `shard-<i>-of-<n>.json` (bench's {@link shardFileName}), atomically: a
 * shard that stopped midway leaves no file, and a finished one replaces an earlier one. Returns the path.
 */
export async function writeVlaShard(dir: string, output: VlaShardOutput): Promise<string> {
  const file = join(resolve(dir), shardFileName(output.shard));
  const { shard, plan, planned, episodes, chains, headLoss, probe } = output;
  await writeJsonAtomic(file, {
    format: VLA_SHARD_FORMAT,
    version: VLA_SHARD_FORMAT_VERSION,
    shard,
    plan,
    planned,
    episodes,
    chains,
    headLoss,
    probe,
  });
  return file;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const isInteger = (x: unknown): x is number => Number.isInteger(x);

function isEpisode(x: unknown): boolean {
  return (
    isRecord(x) &&
    isInteger(x.head) &&
    typeof x.suite === 'string' &&
    isInteger(x.episode) &&
    isInteger(x.taskIndex) &&
    isInteger(x.trial) &&
    typeof x.success === 'boolean'
  );
}

function isChain(x: unknown): boolean {
  return isRecord(x) && isInteger(x.head) && isInteger(x.chain) && isInteger(x.completed);
}

/** Reads one shard file written by {@link writeVlaShard}; throws naming the file and what is wrong with it. */
export async function readVlaShard(file: string): Promise<LoadedVlaShard> {
  const source = resolve(file);
  let document: unknown;
  try {
    document = JSON.parse(await readFile(source, 'utf8'));
  } catch (error) {
    throw new Error(
      `readVlaShard: cannot read ${source}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!isRecord(document) || document.format !== VLA_SHARD_FORMAT)
    throw new Error(`readVlaShard: ${source} is not a ${VLA_SHARD_FORMAT} file (written by writeVlaShard)`);
  if (document.version !== VLA_SHARD_FORMAT_VERSION)
    throw new Error(
      `readVlaShard: ${source} has format version ${String(document.version)}; this reads ${VLA_SHARD_FORMAT_VERSION}`,
    );
  const { shard, plan, planned, episodes, chains, headLoss, probe } = document;
  if (
    !isRecord(shard) ||
    !isInteger(shard.count) ||
    !isInteger(shard.index) ||
    shard.count < 1 ||
    shard.index < 0 ||
    shard.index >= shard.count
  )
    throw new Error(`readVlaShard: ${source}: "shard" must be { index, count } with 0 ≤ index < count`);
  if (!isRecord(plan) || !isRecord(planned) || !isInteger(planned.episodes) || !isInteger(planned.chains))
    throw new Error(`readVlaShard: ${source}: "plan" or "planned" is missing or malformed`);
  if (!Array.isArray(episodes) || !episodes.every(isEpisode))
    throw new Error(
      `readVlaShard: ${source}: "episodes" must list { head, suite, episode, taskIndex, trial, success }`,
    );
  if (!Array.isArray(chains) || !chains.every(isChain))
    throw new Error(`readVlaShard: ${source}: "chains" must list { head, chain, completed }`);
  if (!isRecord(headLoss) || !Array.isArray(headLoss.libero) || !Array.isArray(headLoss.calvin))
    throw new Error(`readVlaShard: ${source}: "headLoss" must be { libero: number[], calvin: number[] }`);
  if (probe !== null && !isRecord(probe))
    throw new Error(
      `readVlaShard: ${source}: "probe" must be null or { actionR2, ci95, lambda, objectR2, … }`,
    );
  const output = { shard, plan, planned, episodes, chains, headLoss, probe } as unknown as VlaShardOutput;
  return { ...output, source };
}

/**
 * Reads every `shard-<i>-of-<n>.json` in `dir` ({@link readVlaShard}), in name order, for
 * {@link mergeVlaShards} (which says which shards are missing). Throws when `dir` holds none.
 */
export async function readVlaShards(dir: string): Promise<LoadedVlaShard[]> {
  const folder = resolve(dir);
  let names: string[];
  try {
    names = (await readdir(folder)).filter((n) => SHARD_FILE.test(n)).sort();
  } catch (error) {
    throw new Error(
      `readVlaShards: cannot list ${folder}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (names.length === 0)
    throw new Error(`readVlaShards: ${folder} holds no shard-<i>-of-<n>.json (did the shards finish?)`);
  return Promise.all(names.map((n) => readVlaShard(join(folder, n))));
}
