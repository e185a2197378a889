import * as ops from './ops.js';

export { writeFileAtomic } from './atomic-write.js';
export { gradients } from './autodiff.js';
export { type CheckpointData, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
export { type DType, isFloat, ONNX_ELEM_TYPE, type TensorData } from './dtype.js';
export { GraphError } from './errors.js';
export { checkGradients, type GradientCheckOptions, type GradientCheckResult } from './gradient-check.js';
export {
  type AttributeValue,
  type Constant,
  Graph,
  type NodeRecord,
  type Parameter,
  Value,
} from './graph.js';
export {
  bfloat16ToFloat32,
  float16ToFloat32,
  float32ToBfloat16,
  float32ToFloat16,
  fromBfloat16Bits,
  fromFloat16Bits,
  toBfloat16Bits,
  toFloat16Bits,
} from './half-precision.js';
export { mulberry32, normalInit, xavierUniform } from './init.js';
export {
  type AttentionOptions,
  adaLayerNorm,
  type BlockOptions,
  embedding,
  gelu,
  type LayerOptions,
  type LinearOptions,
  layerNorm,
  layerNormPlain,
  learnedPositionAt,
  learnedPositions,
  linear,
  multiHeadAttention,
  patchEmbedding,
  rmsNorm,
  silu,
  sinusoidalTimestep,
  transformerBlock,
} from './layers.js';
export { type ExportOptions, OPSET, toOnnx, toOnnxWithExternalData } from './onnx-export.js';
export {
  add,
  cast,
  concat,
  cos,
  div,
  erf,
  exp,
  expand,
  gather,
  greater,
  log,
  logSoftmax,
  matMul,
  mul,
  neg,
  randomUniformLike,
  reduceMean,
  reduceSum,
  relu,
  reshape,
  sigmoid,
  sin,
  slice,
  softmax,
  sqrt,
  sub,
  tanh,
  transpose,
  transposeLast,
  unbroadcast,
  VJP_RULES,
  type VjpRule,
  where,
  zeros,
} from './ops.js';
export {
  AdamW,
  type AdamWOptions,
  type AdamWState,
  accumulateGrads,
  clipGradNorm,
  constantSchedule,
  cosineWithWarmup,
  SGD,
  type SgdOptions,
} from './optim.js';
export {
  type ProfileEvent,
  type ProfileSummary,
  profileTable,
  readProfile,
  summarizeProfile,
} from './profile.js';
export { applyRotary, type RotaryAngles, rotaryAngles } from './rotary.js';
export {
  createSession,
  type ExecutionProvider,
  type Feed,
  type Session,
  type SessionOptions,
} from './runtime.js';
export {
  decodeSafetensors,
  dtypeOf,
  encodeSafetensors,
  halfTensor,
  type SafetensorsArrays,
  type SafetensorsDtype,
  type StoredTensor,
  tensorFromArray,
  tensorToFloat32,
  type UnambiguousArray,
} from './safetensors.js';
export { logSoftmaxRow, type SamplingOptions, sampleToken } from './sampling.js';
export { saveOnnx } from './save-onnx.js';
export { broadcastShapes, sizeOf } from './shape.js';
export { type EvalMetrics, type StepMetrics, type TrainLoopOptions, trainLoop } from './train-loop.js';
export { type CompileOptions, compileTraining, initialValues, type TrainingProgram } from './training.js';
/** The op functions as one namespace: `ops.matMul`, `ops.softmax`, … */
export { ops };
