/** Element types the builder supports: float32 for training, float64 for gradient checks, int64 for ids and shapes. */
export type DType = 'float32' | 'float64' | 'int64' | 'bool';

/** ONNX `TensorProto.DataType` codes. */
export const ONNX_ELEM_TYPE: Record<DType, number> = { float32: 1, bool: 9, int64: 7, float64: 11 };

/** The typed array that holds a tensor of each element type. */
export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int64'
      ? BigInt64Array
      : Uint8Array;

/** Any tensor data the builder and runtime pass around. */
export type TensorData = Float32Array | Float64Array | BigInt64Array | Uint8Array;

/** Whether gradients flow through values of this type. */
export const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';
