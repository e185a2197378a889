export {
  type ActionArray,
  activeActionDims,
  type ChunkOptions,
  type ChunkPadding,
  chunkEpisode,
  chunkEpisodes,
} from './chunk-episode.js';
export { crc32c, maskCrc32c, maskedCrc32c } from './crc32c.js';
export { assertEpisodeShape, type RobotEpisode } from './episode.js';
export { DatasetError } from './errors.js';
export { decodeImageRgb, decodeJpegRgb, decodePngRgb, encodePngRgb, isJpeg, isPng } from './image-codec.js';
export {
  episodeDataPath,
  episodeVideoPath,
  formatLeRobotPath,
  LEROBOT_ACTION_KEY,
  LEROBOT_CHUNKS_SIZE,
  LEROBOT_CODEBASE_VERSION,
  LEROBOT_DATA_PATH,
  LEROBOT_ENVIRONMENT_STATE_KEY,
  LEROBOT_IMAGE_PREFIX,
  LEROBOT_STATE_KEY,
  LEROBOT_VIDEO_PATH,
  type LeRobotEpisodeMeta,
  type LeRobotFeature,
  type LeRobotInfo,
  type LeRobotTask,
} from './lerobot-format.js';
export { type EpisodeParquetPlacement, encodeLeRobotEpisodeParquet } from './lerobot-parquet.js';
export {
  type LeRobotDataset,
  type LeRobotDatasetReadOptions,
  type LeRobotEpisodeFileOptions,
  type LeRobotEpisodeTable,
  type LeRobotTableOptions,
  readLeRobotDataset,
  readLeRobotEpisodeFile,
  readLeRobotEpisodeTable,
  readLeRobotInfo,
} from './lerobot-reader.js';
export {
  addToChannelHistograms,
  type ChannelHistograms,
  columnStats,
  emptyChannelHistograms,
  type FeatureStats,
  featureStatsToJson,
  imageChannelStats,
  type StatJson,
} from './lerobot-stats.js';
export {
  type LeRobotWriteOptions,
  type LeRobotWriteResult,
  writeLeRobotDataset,
} from './lerobot-writer.js';
export type { RgbImage } from './rgb-image.js';
export {
  BRIDGE_FPS,
  type BridgeReadOptions,
  bridgeEpisodeFromExample,
  readBridgeEpisodes,
} from './rlds-bridge.js';
export { decodeTfExample, requireFeature, type TfExample, type TfFeature } from './tf-example.js';
export {
  iterateTfRecords,
  parseTfRecords,
  readTfRecordFile,
  type TfRecord,
  type TfRecordReadOptions,
} from './tfrecord.js';
export {
  type DecodedVideo,
  decodableCodec,
  decodeMp4,
  encodeMp4,
  MP4_CODEC,
  type Mp4EncodeOptions,
} from './video-codec.js';
