import type { SchemaElement } from 'hyparquet';
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import { type ArrowField, arrowSchemaMetadata } from './arrow-schema.js';
import type { RobotEpisode } from './episode.js';
import { encodePngRgb } from './image-codec.js';
import {
  LEROBOT_ACTION_KEY,
  LEROBOT_ENVIRONMENT_STATE_KEY,
  LEROBOT_IMAGE_PREFIX,
  LEROBOT_STATE_KEY,
} from './lerobot-format.js';

/** Where one episode sits in the dataset, for the index columns. */
export interface EpisodeParquetPlacement {
  /** `episode_index` column value. */
  readonly episodeIndex: number;
  /** Global `index` of the episode's first frame. */
  readonly firstFrame: number;
  /** `task_index` column value. */
  readonly taskIndex: number;
  /** Frequency used for `timestamp` when the episode carries no timestamps: `frame_index / fps`. */
  readonly fps: number;
}

/**
 * Encodes one episode as a LeRobot v2.x episode parquet file with the schema LeRobot's own writer produces:
 * `observation.state`, `observation.environment_state` (each when the episode has it) and `action` as
 * `fixed_size_list<float>[dim]` (a parquet LIST of FLOAT, the fixed size in the `ARROW:schema` metadata),
 * one `observation.images.<camera>` column per camera as the Hugging Face `Image` struct
 * `{bytes: binary (PNG), path: string}`, then `timestamp` FLOAT and `frame_index`, `episode_index`, `index`,
 * `task_index` INT64. The `huggingface` key-value metadata declares the `datasets` features, so
 * `datasets.load_dataset('parquet', ...)` decodes the image column as images.
 */
export function encodeLeRobotEpisodeParquet(
  episode: RobotEpisode,
  placement: EpisodeParquetPlacement,
): ArrayBuffer {
  const T = episode.length;
  const schema: SchemaElement[] = [{ name: 'schema', repetition_type: 'REQUIRED', num_children: 0 }];
  const columnData: ColumnSource[] = [];
  const hfFeatures: Record<string, unknown> = {};
  const arrowFields: ArrowField[] = [];

  const addList = (name: string, values: Float32Array, dim: number): void => {
    schema.push(
      {
        name,
        repetition_type: 'OPTIONAL',
        num_children: 1,
        converted_type: 'LIST',
        logical_type: { type: 'LIST' },
      },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'FLOAT', repetition_type: 'OPTIONAL' },
    );
    const rows: number[][] = new Array(T);
    for (let t = 0; t < T; t++) rows[t] = Array.from(values.subarray(t * dim, (t + 1) * dim));
    columnData.push({ name, data: rows });
    hfFeatures[name] = { feature: { dtype: 'float32', _type: 'Value' }, length: dim, _type: 'Sequence' };
    const item: ArrowField = { name: 'item', type: { kind: 'float32' }, nullable: true };
    arrowFields.push({ name, type: { kind: 'fixed-size-list', size: dim, item }, nullable: true });
  };
  const addScalar = (name: string, type: 'FLOAT' | 'INT64', data: Float32Array | BigInt64Array): void => {
    schema.push({ name, type, repetition_type: 'OPTIONAL' });
    columnData.push({ name, data });
    hfFeatures[name] = { dtype: type === 'FLOAT' ? 'float32' : 'int64', _type: 'Value' };
    arrowFields.push({ name, type: { kind: type === 'FLOAT' ? 'float32' : 'int64' }, nullable: true });
  };

  if (episode.states !== undefined && episode.stateDim !== undefined) {
    addList(LEROBOT_STATE_KEY, episode.states, episode.stateDim);
  }
  if (episode.environmentStates !== undefined && episode.environmentStateDim !== undefined) {
    addList(LEROBOT_ENVIRONMENT_STATE_KEY, episode.environmentStates, episode.environmentStateDim);
  }
  addList(LEROBOT_ACTION_KEY, episode.actions, episode.actionDim);
  for (const camera of Object.keys(episode.images ?? {}).sort()) {
    const name = `${LEROBOT_IMAGE_PREFIX}${camera}`;
    schema.push(
      { name, repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
      {
        name: 'path',
        type: 'BYTE_ARRAY',
        converted_type: 'UTF8',
        logical_type: { type: 'STRING' },
        repetition_type: 'OPTIONAL',
      },
    );
    const frames = episode.images![camera];
    const data = frames.map((image, t) => ({ bytes: encodePngRgb(image), path: `frame_${pad(t, 6)}.png` }));
    columnData.push({ name, data, statistics: false });
    hfFeatures[name] = { _type: 'Image' };
    const children: ArrowField[] = [
      { name: 'bytes', type: { kind: 'binary' }, nullable: true },
      { name: 'path', type: { kind: 'utf8' }, nullable: true },
    ];
    arrowFields.push({ name, type: { kind: 'struct', children }, nullable: true });
  }

  const timestamp = new Float32Array(T);
  const frameIndex = new BigInt64Array(T);
  const index = new BigInt64Array(T);
  for (let t = 0; t < T; t++) {
    timestamp[t] = episode.timestamps ? episode.timestamps[t] : t / placement.fps;
    frameIndex[t] = BigInt(t);
    index[t] = BigInt(placement.firstFrame + t);
  }
  addScalar('timestamp', 'FLOAT', timestamp);
  addScalar('frame_index', 'INT64', frameIndex);
  addScalar('episode_index', 'INT64', new BigInt64Array(T).fill(BigInt(placement.episodeIndex)));
  addScalar('index', 'INT64', index);
  addScalar('task_index', 'INT64', new BigInt64Array(T).fill(BigInt(placement.taskIndex)));

  schema[0] = { ...schema[0], num_children: columnData.length };
  const huggingface = JSON.stringify({ info: { features: hfFeatures } });
  return parquetWriteBuffer({
    columnData,
    schema,
    kvMetadata: [
      { key: 'huggingface', value: huggingface },
      { key: 'ARROW:schema', value: arrowSchemaMetadata(arrowFields, { huggingface }) },
    ],
    createdBy: '@roboalign/bench lerobot-writer',
  });
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}
