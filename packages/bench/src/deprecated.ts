// Names that @roboalign/bench 0.1 exported and that now live in @roboalign/datasets, @roboalign/serve and
// @roboalign/utils. They keep working for one minor version (removed in 0.3); import them from their package.

export {
  /** @deprecated Import from `@roboalign/datasets`. */
  type RobotEpisode,
  /** @deprecated Import from `@roboalign/datasets`. */
  readBridgeEpisodes,
  /** @deprecated Import from `@roboalign/datasets`. */
  readLeRobotDataset,
  /** @deprecated Import from `@roboalign/datasets`. */
  readLeRobotEpisodeFile,
  /** @deprecated Import from `@roboalign/datasets`. */
  writeLeRobotDataset,
} from '@roboalign/datasets';
export {
  /** @deprecated Import from `@roboalign/serve`. */
  adaptPolicy,
  /** @deprecated Import from `@roboalign/serve`. */
  randomPolicy,
  /** @deprecated Import from `@roboalign/serve`. */
  remotePolicy,
  /** @deprecated Import from `@roboalign/serve`. */
  servePolicy,
} from '@roboalign/serve';
export {
  /** @deprecated Import from `@roboalign/utils`. */
  mulberry32,
  /** @deprecated Import from `@roboalign/utils`. */
  type Rng,
  /** @deprecated Import `seedFromParts` from `@roboalign/utils`. */
  seedFromParts as seedFrom,
} from '@roboalign/utils';
