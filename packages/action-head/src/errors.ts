/**
 * Thrown for what the action head cannot use: a sample or observation whose arrays do not fit the config,
 * an embodiment out of range, a batch of the wrong size, a dataset or checkpoint file that does not fit
 * the head. The message says what was expected, what came, and where (sample or observation index, field,
 * file, parameter name). Faults in building or running the graph itself stay onnx-train's `GraphError`.
 */
export class ActionHeadError extends Error {
  override readonly name = 'ActionHeadError';
}
