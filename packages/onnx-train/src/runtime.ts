import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import type { DType, TensorData } from './dtype.js';
import { GraphError } from './errors.js';

/** Execution providers in order of preference; CUDA is tried first when asked for and falls back to CPU. */
export type ExecutionProvider = 'cuda' | 'cpu';

/** Options of {@link createSession}. */
export interface SessionOptions {
  /** Default `['cpu']`. `['cuda', 'cpu']` uses CUDA where it loads and logs the fallback otherwise. */
  executionProviders?: readonly ExecutionProvider[];
  /** Threads inside one op; default ONNX Runtime's choice. */
  intraOpThreads?: number;
  /** Where fallback notices go; default `console.warn`. */
  log?: (message: string) => void;
  /**
   * ONNX Runtime graph optimizations; default `'all'`. Some fusions (e.g. QuickGelu) have float32 kernels
   * only, so float64 graphs (gradient checks) use `'basic'`.
   */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Whether idle ONNX Runtime threads busy-wait for work (ONNX Runtime's default, true). Spinning saves a
   * wake-up per parallel op on an otherwise idle machine; where other work shares the cores, including this
   * process's own JavaScript between runs, it takes their time instead (a training step on a busy 2-core
   * machine ran 3× slower with it).
   */
  spinning?: boolean;
  /**
   * ONNX Runtime's CPU memory arena (its default, true): a session keeps the peak of its runs' memory for
   * reuse. Without it, memory goes back after each run, so many sessions of different shapes can stay loaded.
   */
  memoryArena?: boolean;
}

/** A loaded model and the provider that runs it. */
export interface Session {
  readonly provider: ExecutionProvider;
  /** Runs the model; feeds by input name, returns the named outputs as typed arrays. */
  run(
    feeds: Readonly<Record<string, Feed>>,
    outputs?: readonly string[],
  ): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

/** One input tensor. */
export interface Feed {
  readonly data: TensorData;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

const ORT_TYPE: Record<DType, 'float32' | 'float64' | 'int64' | 'bool'> = {
  float32: 'float32',
  float64: 'float64',
  int64: 'int64',
  bool: 'bool',
};

/**
 * The ONNX Runtime session options that {@link SessionOptions} stand for (execution providers aside). Options
 * left unset are left out, so ONNX Runtime's own defaults apply.
 */
export function ortSessionOptions(options: SessionOptions): ort.InferenceSession.SessionOptions {
  const base: ort.InferenceSession.SessionOptions = {};
  if (options.intraOpThreads !== undefined) base.intraOpNumThreads = options.intraOpThreads;
  if (options.graphOptimizationLevel !== undefined)
    base.graphOptimizationLevel = options.graphOptimizationLevel;
  if (options.memoryArena !== undefined) base.enableCpuMemArena = options.memoryArena;
  if (options.spinning !== undefined) {
    const allow = options.spinning ? '1' : '0';
    base.extra = { session: { intra_op: { allow_spinning: allow }, inter_op: { allow_spinning: allow } } };
  }
  return base;
}

/**
 * Loads an ONNX model (bytes, or a file path when it has external data) into ONNX Runtime. Asking for CUDA on a machine without it makes ONNX Runtime
 * throw; here that falls back to CPU with a logged notice instead.
 */
export async function createSession(
  model: Uint8Array | string,
  options: SessionOptions = {},
): Promise<Session> {
  const wanted = options.executionProviders ?? ['cpu'];
  const log = options.log ?? ((m: string) => console.warn(m));
  const base = ortSessionOptions(options);
  let session: ort.InferenceSession | undefined;
  let provider: ExecutionProvider = 'cpu';
  if (wanted.includes('cuda') && !cudaLibraryPresent()) {
    // Without the provider library ONNX Runtime would print a native error before throwing; say it once.
    log(
      '[onnx-train] CUDA execution provider unavailable (onnxruntime-node has no CUDA libraries here); using CPU',
    );
  } else if (wanted.includes('cuda')) {
    try {
      // Severity 4 (fatal only): the failed CUDA load is reported once, below, instead of as a native error.
      session = await ort.InferenceSession.create(model as string, {
        ...base,
        executionProviders: ['cuda', 'cpu'],
        logSeverityLevel: 4,
      });
      provider = 'cuda';
    } catch (err) {
      log(
        `[onnx-train] CUDA execution provider unavailable (${String((err as Error).message)
          .split('\n')[0]
          .slice(0, 160)}); using CPU`,
      );
    }
  }
  if (session === undefined) {
    try {
      session = await ort.InferenceSession.create(model as string, { ...base, executionProviders: ['cpu'] });
    } catch (err) {
      throw new GraphError(`ONNX Runtime rejected the model: ${(err as Error).message}`);
    }
  }
  const s = session;
  return {
    provider,
    async run(feeds, outputs) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, f] of Object.entries(feeds))
        ortFeeds[name] = new ort.Tensor(ORT_TYPE[f.dtype], f.data, [...f.shape]);
      const result = outputs ? await s.run(ortFeeds, [...outputs]) : await s.run(ortFeeds);
      const out: Record<string, TensorData> = {};
      for (const [name, t] of Object.entries(result)) out[name] = t.data as TensorData;
      return out;
    },
    release: () => s.release(),
  };
}

/**
 * Whether onnxruntime-node's CUDA provider library sits beside its native binding (its install script
 * downloads it on CUDA machines; the npm package ships CPU only).
 */
function cudaLibraryPresent(): boolean {
  try {
    const require = createRequire(import.meta.url);
    const root = dirname(dirname(require.resolve('onnxruntime-node')));
    const dir = join(root, 'bin', 'napi-v6', process.platform, process.arch);
    const name =
      process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    return existsSync(join(dir, name));
  } catch {
    return true; // cannot tell: let ONNX Runtime try
  }
}
