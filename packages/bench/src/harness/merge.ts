import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '@roboalign/utils';
import { BenchError } from '../errors.js';
import {
  type BenchmarkReport,
  CHAIN_LENGTH,
  type ChainResult,
  type EpisodeResult,
  type ShardRun,
} from '../report/results.js';
import type { RolloutVideo } from '../report/rollout-video.js';
import {
  type EvaluationConfig,
  type RunRecord,
  reportFrom,
  type ShardOutput,
  sortResults,
} from './evaluate.js';
import type { JobResult } from './jobs.js';
import { formatShard, type Shard, shardOf } from './shard.js';
import { VideoCollector } from './video-collector.js';
import { chainClaims, episodeClaim } from './video-selection.js';

/** The `format` of a shard file. */
export const SHARD_FORMAT = 'roboalign-bench-shard';
const SHARD_FORMAT_VERSION = 1;
const SHARD_FILE = /^shard-(\d+)-of-(\d+)\.json$/;

/** The file a shard writes into its folder: `shard-<index>-of-<count>.json`. */
export function shardFileName(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.count}.json`;
}

/** The folder beside it that holds the shard's videos (one `.webp` each). */
function shardVideoFolder(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.count}.videos`;
}

function videoFileName(video: RolloutVideo): string {
  return video.kind === 'chain'
    ? `chain-${video.chain}.webp`
    : `task-${video.taskIndex}-trial-${video.trial}.webp`;
}

/** A shard output read back from disk, with the file it came from. */
export interface LoadedShard extends ShardOutput {
  readonly source: string;
}

/**
 * Writes a shard output into `dir`: `shard-<i>-of-<n>.json` (configuration, results, timing, machine, and the
 * kept videos' details) and its videos under `shard-<i>-of-<n>.videos/`. The JSON is written last, atomically,
 * so a shard that stopped midway leaves no shard file (an earlier one of the same name is removed first).
 * Shards of one run may share a folder. Returns the path of the JSON file.
 */
export async function writeShard(dir: string, output: ShardOutput): Promise<string> {
  const folder = resolve(dir);
  await mkdir(folder, { recursive: true });
  const file = join(folder, shardFileName(output.shard));
  const videoFolder = shardVideoFolder(output.shard);
  await rm(file, { force: true });
  await rm(join(folder, videoFolder), { recursive: true, force: true });
  const videos = [];
  for (const video of output.videos) {
    const { webp, ...details } = video;
    const path = `${videoFolder}/${videoFileName(video)}`;
    await writeFileAtomic(join(folder, path), webp);
    videos.push({ ...details, file: path });
  }
  const document = {
    format: SHARD_FORMAT,
    version: SHARD_FORMAT_VERSION,
    shard: output.shard,
    config: output.config,
    planned: output.planned,
    startedAt: output.startedAt,
    durationMs: output.durationMs,
    machine: output.machine,
    versions: output.versions,
    workers: output.workers,
    results: output.results,
    videos,
  };
  await writeFileAtomic(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Reads one shard file (and its videos) written by {@link writeShard}. */
export async function readShard(file: string): Promise<LoadedShard> {
  const source = resolve(file);
  let document: unknown;
  try {
    document = JSON.parse(await readFile(source, 'utf8'));
  } catch (error) {
    throw new BenchError(
      `merge: cannot read ${source}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!isRecord(document) || document.format !== SHARD_FORMAT)
    throw new BenchError(`merge: ${source} is not a ${SHARD_FORMAT} file (written by evaluate --shard)`);
  if (document.version !== SHARD_FORMAT_VERSION)
    throw new BenchError(
      `merge: ${source} has shard format version ${String(document.version)}; this version of roboalign-bench reads ${SHARD_FORMAT_VERSION}`,
    );
  const shard = document.shard;
  if (
    !isRecord(shard) ||
    !Number.isInteger(shard.index) ||
    !Number.isInteger(shard.count) ||
    (shard.count as number) < 1 ||
    (shard.index as number) < 0 ||
    (shard.index as number) >= (shard.count as number)
  )
    throw new BenchError(`merge: ${source}: "shard" must be { index, count } with 0 ≤ index < count`);
  if (!isRecord(document.config) || !Array.isArray(document.results) || !Array.isArray(document.videos))
    throw new BenchError(`merge: ${source}: "config", "results" and "videos" are missing or malformed`);
  const videos: RolloutVideo[] = [];
  for (const entry of document.videos as unknown[]) {
    if (!isRecord(entry) || typeof entry.file !== 'string')
      throw new BenchError(`merge: ${source}: a video entry has no "file"`);
    const { file: path, ...details } = entry;
    let webp: Uint8Array;
    try {
      webp = new Uint8Array(await readFile(join(dirname(source), path)));
    } catch {
      throw new BenchError(`merge: ${source}: its video ${path} is missing`);
    }
    videos.push({ ...(details as unknown as Omit<RolloutVideo, 'webp'>), webp });
  }
  return { ...(document as unknown as ShardOutput), videos, source };
}

/**
 * Reads the shard files in `paths`: each a folder (every `shard-<i>-of-<n>.json` in it) or a shard file.
 * Throws when a path does not exist or a folder holds no shard file.
 */
export async function readShards(paths: readonly string[]): Promise<LoadedShard[]> {
  if (paths.length === 0) throw new BenchError('merge: name the folders that hold the shard outputs');
  const files: string[] = [];
  for (const path of paths) {
    const full = resolve(path);
    let isFolder: boolean;
    try {
      isFolder = (await stat(full)).isDirectory();
    } catch {
      throw new BenchError(`merge: ${full} does not exist`);
    }
    if (!isFolder) {
      files.push(full);
      continue;
    }
    const names = (await readdir(full)).filter((n) => SHARD_FILE.test(n)).sort();
    if (names.length === 0)
      throw new BenchError(
        `merge: ${full} holds no shard-<i>-of-<n>.json (write one with evaluate --shard i/n --out ${path}; did that shard finish?)`,
      );
    files.push(...names.map((n) => join(full, n)));
  }
  // The same file named twice (a folder and a file in it) is one shard, not a duplicate.
  return Promise.all([...new Set(files)].map(readShard));
}

const CONFIG_FIELDS = [
  'suite',
  'kind',
  'policy',
  'seed',
  'replanSteps',
  'imageSize',
  'videos',
  'firstTrial',
  'trials',
  'tasks',
  'chains',
] as const satisfies readonly (keyof EvaluationConfig)[];

/** Every episode or chain `config` plans, as keys in plan order (task-major, or by chain number). */
function plannedKeys(config: EvaluationConfig): string[] {
  if (config.kind === 'chains')
    return Array.from({ length: config.chains ?? 0 }, (_, k) => `chain ${config.firstTrial + k}`);
  return (config.tasks ?? []).flatMap((task) =>
    Array.from({ length: config.trials ?? 0 }, (_, k) => `task ${task} trial ${config.firstTrial + k}`),
  );
}

function resultKey(result: JobResult): string {
  return 'chain' in result
    ? `chain ${(result as ChainResult).chain}`
    : `task ${(result as EpisodeResult).taskIndex} trial ${(result as EpisodeResult).trial}`;
}

function listSome(keys: readonly string[]): string {
  return keys.length <= 5 ? keys.join(', ') : `${keys.slice(0, 5).join(', ')} and ${keys.length - 5} more`;
}

/** The `sample` claims a kept video still holds (its `roles`); other modes keep every video, with no claim. */
function claimsOf(video: RolloutVideo, config: EvaluationConfig) {
  if (config.videos !== 'sample') return [];
  const candidates =
    video.kind === 'episode'
      ? [episodeClaim(video.taskIndex ?? 0, video.trial ?? 0, video.success)]
      : chainClaims(video.chain ?? 0, video.completed ?? 0, CHAIN_LENGTH);
  return candidates.filter((c) => video.roles.includes(c.role));
}

/**
 * Combines the outputs of every shard of one run into the report an unsharded `evaluate` gives: the same
 * results, summaries and kept videos (for `sample`, the best claim of each task and outcome over all shards,
 * which is the one an unsharded run keeps). Only the run's timing and machine differ: `meta.startedAt` is
 * the first shard's start, `meta.durationMs` the span to the last shard's end, `meta.machine` shard 0's,
 * `meta.run.workers` the most any shard used, and `meta.shards` lists every shard's own.
 *
 * Throws, naming the files, when shards disagree on the shard count, the configuration or the software
 * versions, when a shard is given twice or is missing, or when a shard's results are not exactly its share.
 */
export function mergeShards(shards: readonly (ShardOutput | LoadedShard)[]): BenchmarkReport {
  if (shards.length === 0) throw new BenchError('merge: no shard outputs to merge');
  const name = (s: ShardOutput | LoadedShard) =>
    'source' in s ? `${s.source} (shard ${formatShard(s.shard)})` : `shard ${formatShard(s.shard)}`;
  const first = shards[0];
  const count = first.shard.count;
  for (const s of shards) {
    if (s.shard.count !== count)
      throw new BenchError(
        `merge: the shards were split differently: ${name(first)} is one of ${count}, ${name(s)} one of ${s.shard.count}`,
      );
  }
  const byIndex = new Map<number, ShardOutput | LoadedShard>();
  for (const s of shards) {
    const held = byIndex.get(s.shard.index);
    if (held)
      throw new BenchError(
        `merge: shard ${formatShard(s.shard)} is given twice: ${name(held)} and ${name(s)}`,
      );
    byIndex.set(s.shard.index, s);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0)
    throw new BenchError(
      `merge: missing ${missing.length} of ${count} shards: ${listSome(missing.map((i) => `${i}/${count}`))} (run evaluate --shard for them, or name the folders that hold them)`,
    );
  const ordered = Array.from({ length: count }, (_, i) => byIndex.get(i) as ShardOutput | LoadedShard);
  const base = ordered[0];
  for (const s of ordered.slice(1)) {
    const differ = CONFIG_FIELDS.filter(
      (f) => JSON.stringify(s.config[f]) !== JSON.stringify(base.config[f]),
    ).map((f) => `${f} ${JSON.stringify(base.config[f])} vs ${JSON.stringify(s.config[f])}`);
    if (differ.length > 0)
      throw new BenchError(
        `merge: ${name(base)} and ${name(s)} are shards of different evaluations: ${differ.join(', ')}`,
      );
    const packages = [...new Set([...Object.keys(base.versions), ...Object.keys(s.versions)])];
    const versions = packages
      .filter((p) => base.versions[p] !== s.versions[p])
      .map((p) => `${p} ${base.versions[p] ?? 'absent'} vs ${s.versions[p] ?? 'absent'}`);
    if (versions.length > 0)
      throw new BenchError(
        `merge: ${name(base)} and ${name(s)} ran different software: ${versions.join(', ')}`,
      );
  }
  const config = base.config;
  const planned = plannedKeys(config);
  if (planned.length !== base.planned)
    throw new BenchError(
      `merge: ${name(base)} says the run has ${base.planned} rollouts but its configuration plans ${planned.length}`,
    );
  const results: JobResult[] = [];
  for (const s of ordered) {
    const expected = shardOf(planned, s.shard.index, count);
    const got = s.results.map(resultKey);
    const seen = new Set<string>();
    const twice = got.filter((k) => seen.has(k) || !seen.add(k));
    if (twice.length > 0) throw new BenchError(`merge: ${name(s)} lists ${listSome(twice)} twice`);
    const want = new Set(expected);
    const extra = got.filter((k) => !want.has(k));
    const lacking = expected.filter((k) => !seen.has(k));
    if (extra.length > 0 || lacking.length > 0)
      throw new BenchError(
        `merge: ${name(s)} does not hold its share of the run${lacking.length ? `; it lacks ${listSome(lacking)}` : ''}${extra.length ? `; it has ${listSome(extra)}, which are not its share` : ''}`,
      );
    results.push(...s.results);
  }
  const collector = new VideoCollector(config.videos);
  for (const s of ordered)
    for (const video of s.videos) collector.add({ video, claims: claimsOf(video, config) });
  const start = Math.min(...ordered.map((s) => Date.parse(s.startedAt)));
  const end = Math.max(...ordered.map((s) => Date.parse(s.startedAt) + s.durationMs));
  const shardRuns: ShardRun[] = ordered.map((s) => ({
    index: s.shard.index,
    count: s.shard.count,
    rollouts: s.results.length,
    startedAt: s.startedAt,
    durationMs: s.durationMs,
    workers: s.workers,
    machine: s.machine,
  }));
  const record: RunRecord = {
    startedAt: new Date(start).toISOString(),
    durationMs: end - start,
    machine: base.machine,
    versions: base.versions,
    workers: Math.max(...ordered.map((s) => s.workers)),
    shards: shardRuns,
  };
  return reportFrom(config, sortResults(results), record, collector.videos());
}
