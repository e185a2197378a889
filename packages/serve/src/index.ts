export { type AdaptPolicyOptions, adaptPolicy } from './adapt-policy.js';
export {
  type ConnectOptions,
  normalizePolicyUrl,
  type RemotePolicy,
  remotePolicy,
  WebsocketPolicyClient,
} from './client.js';
export { ServeError } from './errors.js';
export type { InferencePolicy } from './inference-policy.js';
export {
  actionChunkToReply,
  LIBERO_KEYS,
  type LiberoExpectations,
  liberoToObservation,
  observationToLibero,
  replyToActionChunk,
} from './libero.js';
export { loadPolicy, randomPolicy } from './load-policy.js';
export {
  formatLoadTestTable,
  type LoadTestOptions,
  type LoadTestResult,
  measureServerOverhead,
  type Percentiles,
  percentiles,
} from './load-test.js';
export { packMessage, unpackMessage } from './msgpack-numpy.js';
export {
  DTYPE_NAMES,
  type DType,
  type DTypeArrays,
  type DTypeOf,
  dtypeItemSize,
  dtypeKind,
  Float64,
  NdArray,
  NpScalar,
  type NumericArray,
  numpyDtypeString,
  parseNumpyDtype,
} from './ndarray.js';
export {
  ACTION_DIM,
  type ActionChunk,
  type ObjectPosition,
  type Observation,
  type Policy,
  type RgbImage,
  STATE_DIM,
} from './policy.js';
export { type ServeUntilStoppedOptions, serveUntilStopped } from './serve-until-stopped.js';
export {
  CLOSE_INTERNAL_ERROR,
  CLOSE_MESSAGE_TOO_BIG,
  INTERNAL_ERROR_REASON,
  type PolicyServer,
  type ServePolicyOptions,
  type ServerStats,
  servePolicy,
} from './server.js';
