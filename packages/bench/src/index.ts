export * from './deprecated.js';
export { BenchError } from './errors.js';
export {
  type EvaluateOptions,
  type EvaluationConfig,
  evaluate,
  evaluateShard,
  type ShardOutput,
} from './harness/evaluate.js';
export { makeEnv, type TaskGym } from './harness/make-env.js';
export {
  type LoadedShard,
  mergeShards,
  readShard,
  readShards,
  shardFileName,
  writeShard,
} from './harness/merge.js';
export { EXPERT, loadPolicy } from './harness/policies.js';
export {
  ACTION_NAMES,
  ENVIRONMENT_STATE_NAMES,
  type RecordedEpisode,
  type RecordOptions,
  recordExpertDataset,
  recordExpertEpisodes,
  STATE_NAMES,
  stepSubjects,
  subjectPosition,
} from './harness/record.js';
export {
  type ChainPlan,
  chainPlan,
  chainSeed,
  type DriveOptions,
  initialLayout,
  initialStateSeed,
  runChain,
  runEpisode,
  startChainGoal,
} from './harness/run.js';
export { formatShard, parseShard, type Shard, shardOf } from './harness/shard.js';
export { getSuite, SUITES } from './harness/suites.js';
export { parseVideoMode, VIDEO_MODES, type VideoMode } from './harness/video-selection.js';
export {
  type AnimationOptions,
  type BenchmarkReport,
  CHAIN_LENGTH,
  type ChainResult,
  type ChainSummary,
  type ChainsReport,
  type CurveSeries,
  chainCurveSpec,
  chainCurveSvg,
  chainsMarkdown,
  chainsReport,
  chartSvg,
  cpuFlagsOf,
  describeMachine,
  type EpisodeResult,
  type EpisodesReport,
  encodeAnimatedWebp,
  episodesMarkdown,
  episodesReport,
  type MachineInfo,
  type McNemarPowerOptions,
  type McNemarResult,
  mcnemarExact,
  mcnemarPower,
  newcombePairedInterval,
  type PageChart,
  type PairedDifference,
  pairedBootstrapDifference,
  pairedSuccessDifference,
  percentileInterval95,
  plotChainCurve,
  plotSuiteSuccess,
  plotTrainingCurve,
  type RateInterval,
  type ReportMeta,
  type RolloutVideo,
  type RunSettings,
  reportHtml,
  reportPage,
  type ShardRun,
  type SuiteSummary,
  softwareVersions,
  suiteSuccessSpec,
  suiteSuccessSvg,
  summarizeChains,
  summarizeEpisodes,
  svgToPng,
  type TaskSummary,
  type TrainingCurveOptions,
  toJson,
  trainingCurveSpec,
  trainingCurveSvg,
  wilsonInterval,
  writePlot,
} from './report/index.js';
export {
  cameraRotation,
  type ImagePoint,
  pixelIndex,
  projectPinhole,
  projectToAgentView,
} from './sim/camera-projection.js';
export { compileMjcf, mujoco, type Physics } from './sim/mujoco.js';
export { type PixelProjection, projectToPixel, RayCastCamera } from './sim/ray-cast-camera.js';
export {
  AGENT_VIEW_CAMERA,
  type CameraSpec,
  type FixtureSet,
  GEOMETRY,
  halfHeight,
  type MovableSpec,
  type Rgb,
  type SceneSpec,
  sceneXml,
} from './sim/scene-xml.js';
export {
  type CameraName,
  HOME,
  type Layout,
  TabletopEnv,
  type TabletopOptions,
  type Vec3,
} from './sim/tabletop-env.js';
export { CALVIN_STYLE_SUITE, type CalvinState, sampleChain } from './suites/calvin-style.js';
export { LIBERO_STYLE_SUITES } from './suites/libero-style.js';
export * as objects from './suites/objects.js';
export * as predicates from './suites/predicates.js';
export type { ExpertPhase, ExpertStep } from './suites/skills.js';
export * as skills from './suites/skills.js';
export type { ChainSuite, ChainTask, EpisodeSuite, Suite, TaskDefinition } from './suites/task.js';
export { type Goal, type StepInfo, type StepResult, TaskEnv, TaskEnvPool } from './suites/task-env.js';
export * from './types.js';
