// Parity with LeRobot itself: ../shared/fixtures/lerobot-v2.1-by-lerobot was written by LeRobot's own v2.1
// writer (lerobot 0.3.3) from episodes recorded in this project's libero-goal suite.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Field, RecordBatchReader } from 'apache-arrow';
import { type FileMetaData, parquetMetadata } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeRobotDataset, readLeRobotDataset, readLeRobotEpisodeFile } from '../src/lerobot-reader.js';
import { columnStats } from '../src/lerobot-stats.js';
import { writeLeRobotDataset } from '../src/lerobot-writer.js';

const FIXTURE = resolve(import.meta.dirname, '../../../../shared/fixtures/lerobot-v2.1-by-lerobot');
const EPISODE_0 = 'data/chunk-000/episode_000000.parquet';
const haveFixture = existsSync(FIXTURE);
if (!haveFixture) console.warn(`[datasets] ${FIXTURE} is absent: skipping the LeRobot parity tests`);

async function jsonLines<T>(path: string): Promise<T[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

async function parquetMeta(path: string): Promise<FileMetaData> {
  const bytes = await readFile(path);
  return parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

function keyValue(meta: FileMetaData, key: string): string {
  const entry = meta.key_value_metadata?.find((kv) => kv.key === key);
  if (entry?.value === undefined) throw new Error(`no ${key} in the parquet key-value metadata`);
  return entry.value;
}

/** What a parquet schema says about each column: name, physical and logical type, repetition, nesting. */
function schemaShape(meta: FileMetaData) {
  return meta.schema.map((e) => ({
    name: e.name,
    type: e.type,
    repetition: e.repetition_type,
    converted: e.converted_type,
    logical: e.logical_type,
    children: e.num_children,
  }));
}

/** The Arrow schema pyarrow would read: from the `ARROW:schema` metadata, decoded by Apache Arrow's reader. */
function arrowSchema(meta: FileMetaData) {
  const reader = RecordBatchReader.from(Buffer.from(keyValue(meta, 'ARROW:schema'), 'base64'));
  reader.open();
  const describe = (field: Field): unknown => ({
    name: field.name,
    type: String(field.type),
    nullable: field.nullable,
    children: (field.type.children ?? []).map(describe),
  });
  return {
    fields: reader.schema.fields.map(describe),
    metadata: Object.fromEntries(
      [...reader.schema.metadata].map(([key, value]) => [
        key,
        key === 'huggingface' ? JSON.parse(value) : value,
      ]),
    ),
  };
}

describe.skipIf(!haveFixture)('a dataset written by LeRobot', () => {
  let dataset: LeRobotDataset;
  beforeAll(async () => {
    dataset = await readLeRobotDataset(FIXTURE);
  });

  it('reads with its episodes, lengths, tasks and frames', async () => {
    const tasks = await jsonLines<{ task_index: number; task: string }>(join(FIXTURE, 'meta/tasks.jsonl'));
    const episodes = await jsonLines<{ episode_index: number; tasks: string[]; length: number }>(
      join(FIXTURE, 'meta/episodes.jsonl'),
    );
    expect(dataset.info.codebase_version).toBe('v2.1');
    expect(dataset.episodes).toHaveLength(10);
    expect(dataset.tasks).toEqual(tasks);
    expect(dataset.episodes.map((e) => e.instruction)).toEqual(episodes.map((e) => e.tasks[0]));
    expect(dataset.episodes.map((e) => e.length)).toEqual(episodes.map((e) => e.length));
    expect(dataset.episodes.reduce((n, e) => n + e.length, 0)).toBe(389);
    for (const episode of dataset.episodes) {
      expect([episode.fps, episode.actionDim, episode.stateDim]).toEqual([20, 7, 8]);
      expect(Object.keys(episode.images ?? {}).sort()).toEqual(['image', 'wrist_image']);
      const frame = episode.images!.image[0];
      expect([frame.width, frame.height, frame.data.length]).toEqual([64, 64, 64 * 64 * 3]);
    }
  });

  it("reads the values LeRobot's own per-episode statistics describe", async () => {
    type Stats = Record<string, { min: number[]; max: number[]; mean: number[]; count: number[] }>;
    const lines = await jsonLines<{ episode_index: number; stats: Stats }>(
      join(FIXTURE, 'meta/episodes_stats.jsonl'),
    );
    for (const { episode_index, stats } of lines) {
      const episode = dataset.episodes[episode_index];
      const columns = [
        ['action', columnStats(episode.actions, episode.length, 7)],
        ['observation.state', columnStats(episode.states!, episode.length, 8)],
      ] as const;
      for (const [key, ours] of columns) {
        const theirs = stats[key];
        expect(theirs.count, `episode ${episode_index} ${key}`).toEqual([episode.length]);
        // min and max are values of the float32 column itself, so they match exactly.
        expect(ours.min.map(Math.fround), `episode ${episode_index} ${key} min`).toEqual(theirs.min);
        expect(ours.max.map(Math.fround), `episode ${episode_index} ${key} max`).toEqual(theirs.max);
        ours.mean.forEach((mean, d) => {
          expect(mean, `episode ${episode_index} ${key} mean[${d}]`).toBeCloseTo(theirs.mean[d], 6);
        });
      }
    }
  });
});

describe.skipIf(!haveFixture)("our writer's parquet schema, against LeRobot's", () => {
  let tmp: string;
  let ours: FileMetaData;
  let theirs: FileMetaData;
  beforeAll(async () => {
    // LeRobot's episode 0, read by us and written again by us.
    const source = await readLeRobotDataset(FIXTURE, { episodes: [0] });
    tmp = await mkdtemp(join(tmpdir(), 'lerobot-parity-'));
    const info = source.info.features;
    await writeLeRobotDataset(tmp, source.episodes, {
      robotType: source.info.robot_type ?? 'unknown',
      overwrite: true,
      actionNames: info.action.names as string[],
      stateNames: info['observation.state'].names as string[],
    });
    ours = await parquetMeta(join(tmp, EPISODE_0));
    theirs = await parquetMeta(join(FIXTURE, EPISODE_0));
  });
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('has the same columns, column by column: physical and logical types, repetition, nesting', () => {
    expect(schemaShape(ours)).toEqual(schemaShape(theirs));
    // Spelled out, so a regression reads plainly: FLOAT lists, FLOAT timestamp, INT64 indices.
    const leaf = (meta: FileMetaData) =>
      Object.fromEntries(
        meta.row_groups[0].columns.map((c) => [c.meta_data!.path_in_schema.join('.'), c.meta_data!.type]),
      );
    expect(leaf(ours)).toEqual(leaf(theirs));
    expect(leaf(ours)).toMatchObject({
      'observation.state.list.element': 'FLOAT',
      'action.list.element': 'FLOAT',
      'observation.images.image.bytes': 'BYTE_ARRAY',
      timestamp: 'FLOAT',
      frame_index: 'INT64',
      episode_index: 'INT64',
      index: 'INT64',
      task_index: 'INT64',
    });
  });

  it('declares the same Hugging Face features', () => {
    expect(JSON.parse(keyValue(ours, 'huggingface'))).toEqual(JSON.parse(keyValue(theirs, 'huggingface')));
  });

  it('stores the same Arrow schema: fixed_size_list<float>[8] and [7], image structs, int64 indices', () => {
    const arrow = arrowSchema(ours);
    expect(arrow).toEqual(arrowSchema(theirs));
    expect(arrow.fields.slice(0, 2)).toMatchObject([
      { name: 'observation.state', type: 'FixedSizeList[8]<Float32>' },
      { name: 'action', type: 'FixedSizeList[7]<Float32>' },
    ]);
  });

  it('writes the same info.json features (dtype, shape, names)', async () => {
    const read = async (root: string) =>
      (JSON.parse(await readFile(join(root, 'meta/info.json'), 'utf8')) as { features: object }).features;
    expect(await read(tmp)).toEqual(await read(FIXTURE));
  });

  it('reads back what it wrote', async () => {
    const [source] = (await readLeRobotDataset(FIXTURE, { episodes: [0] })).episodes;
    const [back] = (await readLeRobotDataset(tmp)).episodes;
    expect(back.actions).toEqual(source.actions);
    expect(back.states).toEqual(source.states);
    expect(back.instruction).toBe(source.instruction);
  });
});

describe('the reader, on a plain list<float> column (our 0.1 files, no ARROW:schema)', () => {
  it('reads it like a fixed-size list', async () => {
    const { parquetWriteBuffer } = await import('hyparquet-writer');
    const file = parquetWriteBuffer({
      columnData: [
        {
          name: 'action',
          data: [
            [0.5, -1],
            [0.25, 1],
          ],
        },
        { name: 'frame_index', data: BigInt64Array.of(0n, 1n) },
      ],
      schema: [
        { name: 'schema', repetition_type: 'REQUIRED', num_children: 2 },
        { name: 'action', repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        { name: 'element', type: 'FLOAT', repetition_type: 'OPTIONAL' },
        { name: 'frame_index', type: 'INT64', repetition_type: 'OPTIONAL' },
      ],
    });
    const dir = await mkdtemp(join(tmpdir(), 'lerobot-plain-list-'));
    try {
      const path = join(dir, 'episode_000000.parquet');
      await writeFile(path, new Uint8Array(file));
      expect(keyValueKeys(await parquetMeta(path))).not.toContain('ARROW:schema');
      const episode = await readLeRobotEpisodeFile(path, { fps: 10 });
      expect([episode.length, episode.actionDim]).toEqual([2, 2]);
      expect(Array.from(episode.actions)).toEqual([0.5, -1, 0.25, 1]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

function keyValueKeys(meta: FileMetaData): string[] {
  return (meta.key_value_metadata ?? []).map((kv) => kv.key);
}
