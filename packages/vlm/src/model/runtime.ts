import type { Feed, TensorData } from '@roboalign/onnx-train';
import type { VlmConfig } from '../config.js';
import type { VlmTokenizer } from '../tokenizer/vlm-tokenizer.js';
import type { VlmParameters } from './weights.js';

/**
 * What generation and feature extraction need of a model: its shape, tokenizer, weights and three inference
 * graphs. `Vlm` implements it; `generate` and `features` depend on this interface, not on the class, so the
 * class can call them without an import cycle.
 */
export interface VlmRuntime {
  readonly config: VlmConfig;
  readonly tokenizer: VlmTokenizer;
  readonly params: VlmParameters;
  /** The prefill graph over `[batch, length]` feeds: logits and the key/value cache. */
  prefill(feeds: Record<string, Feed>, batch: number, length: number): Promise<Record<string, TensorData>>;
  /** One decode step with a cache of `cacheLength` slots. */
  decodeStep(
    feeds: Record<string, Feed>,
    batch: number,
    cacheLength: number,
  ): Promise<Record<string, TensorData>>;
  /** Hidden states after `layer` decoder layers. */
  hiddenStates(
    feeds: Record<string, Feed>,
    batch: number,
    length: number,
    layer: number,
  ): Promise<Float32Array>;
}
