import {
  AdamW,
  type CompileOptions,
  compileTraining,
  createSession,
  type Feed,
  Graph,
  initialValues,
  loadCheckpoint,
  ops,
  type Session,
  type SessionOptions,
  saveOnnx,
  type TrainingProgram,
  type TrainLoopOptions,
  toOnnx,
  trainLoop,
  type Value,
} from '@roboalign/onnx-train';
import { mulberry32 } from '@roboalign/utils';
import type { ActionHeadConfig } from './config.js';
import { ActionHeadError } from './errors.js';
import { eulerBuckets, flowMatchingBatch, gaussian } from './flow-matching.js';
import { backboneMemory, type HeadInputs, velocity } from './model.js';

/** One training sample: cached backbone features and the robot data that goes with them. */
export interface HeadSample {
  /** `[backboneTokens, backboneDim]`, zero-padded. */
  features: Float32Array;
  /** `[backboneTokens]`, 1 for real tokens. */
  featureMask: Float32Array;
  /** `[stateDim]`, normalized and zero-padded. */
  state: Float32Array;
  embodiment: number;
  /** `[horizon, actionDim]`, normalized and zero-padded. */
  actions: Float32Array;
  /** `[horizon, actionDim]`, 1 for real action dimensions (padding does not count in the loss). */
  actionMask: Float32Array;
}

/** What `predict` needs: one observation's features, state and embodiment. */
export type HeadObservation = Pick<HeadSample, 'features' | 'featureMask' | 'state' | 'embodiment'>;

/**
 * @deprecated Use `HeadObservation` (bench has its own `Observation`). Kept through 0.2.x, removed in 0.3.0.
 */
export type Observation = HeadObservation;

/** A seeded uniform generator in [0, 1), for noise and batch sampling. */
export const seededRandom = mulberry32;

function headInputs(g: Graph, cfg: ActionHeadConfig, batch: number): HeadInputs {
  return {
    features: g.input('features', [batch, cfg.backboneTokens, cfg.backboneDim]),
    featureMask: g.input('feature_mask', [batch, cfg.backboneTokens]),
    state: g.input('state', [batch, cfg.stateDim]),
    embodiment: g.input('embodiment', [batch], 'int64'),
  };
}

/** The standalone inference graph: memory once, then K Euler steps unrolled, from `noise` to actions. */
export function buildInferenceGraph(cfg: ActionHeadConfig, batch = 1): { graph: Graph; actions: Value } {
  const g = new Graph();
  const inputs = headInputs(g, cfg, batch);
  const memory = backboneMemory(g, cfg, inputs);
  let x = g.input('noise', [batch, cfg.horizon, cfg.actionDim]);
  const dt = 1 / cfg.inferenceSteps;
  for (const bucket of eulerBuckets(cfg.inferenceSteps, cfg.timestepBuckets)) {
    const t = g.constant(new Float32Array(batch).fill(bucket), [batch], 'float32');
    x = ops.add(x, ops.mul(velocity(g, cfg, inputs, memory, x, t), g.scalar(dt, x)));
  }
  return { graph: g, actions: x };
}

/** Concatenates one fixed-length row per item; `where(i)` names a row of the wrong length in the error. */
function stackRows<T>(
  items: readonly T[],
  pick: (item: T) => Float32Array,
  per: number,
  where: (i: number) => string,
): Float32Array {
  const out = new Float32Array(items.length * per);
  items.forEach((item, i) => {
    const v = pick(item);
    if (v.length !== per) throw new ActionHeadError(`${where(i)} has ${v.length} values, expected ${per}`);
    out.set(v, i * per);
  });
  return out;
}

/**
 * A GR00T-N1.5-style flow-matching action head on a frozen backbone's cached features: trained with
 * AdamW on ONNX Runtime, sampled with K Euler steps from seeded noise, exported as one standalone ONNX model.
 */
export class ActionHead {
  private inference: Session | undefined;
  /** Releases of inference sessions dropped by `weightsChanged`, awaited by `release()`. */
  private staleReleases: Promise<void>[] = [];
  private inferenceActions: Value | undefined;

  private constructor(
    readonly config: ActionHeadConfig,
    readonly batchSize: number,
    private readonly graph: Graph,
    private readonly program: TrainingProgram,
    /** Parameter values by name (updated in place by training). */
    readonly params: Map<string, Float32Array | Float64Array>,
    readonly optimizer: AdamW,
    private readonly session: SessionOptions | undefined,
  ) {}

  /** Builds the training graph for batches of `batchSize` and initializes parameters. */
  static async create(
    config: ActionHeadConfig,
    options: { batchSize: number; lr?: number; weightDecay?: number; session?: SessionOptions } = {
      batchSize: 16,
    },
  ): Promise<ActionHead> {
    const g = new Graph();
    const B = options.batchSize;
    const inputs = headInputs(g, config, B);
    const noisy = g.input('noisy_actions', [B, config.horizon, config.actionDim]);
    const t = g.input('timestep', [B]);
    const target = g.input('target_velocity', [B, config.horizon, config.actionDim]);
    const mask = g.input('action_mask', [B, config.horizon, config.actionDim]);
    const v = velocity(g, config, inputs, backboneMemory(g, config, inputs), noisy, t);
    const d = ops.sub(v, target);
    const all = [0, 1, 2];
    // Masked MSE over real action dimensions.
    const loss = ops.div(ops.reduceSum(ops.mul(mask, ops.mul(d, d)), all), ops.reduceSum(mask, all));
    const compile: CompileOptions = { session: options.session };
    const program = await compileTraining(g, loss, compile);
    const optimizer = new AdamW({ lr: options.lr ?? 1e-4, weightDecay: options.weightDecay ?? 1e-5 });
    return new ActionHead(config, B, g, program, initialValues(g), optimizer, options.session);
  }

  /** Parameter values with their shapes, for checkpoints. */
  parametersWithShapes(): Map<string, { data: Float32Array | Float64Array; shape: readonly number[] }> {
    const shapes = this.graph.parameters;
    return new Map(
      [...this.params].map(([name, data]) => [name, { data, shape: shapes.get(name)!.value.shape }]),
    );
  }

  /** Restores weights (and optionally optimizer state) from a checkpoint written by `trainHead`. */
  async load(path: string): Promise<number> {
    const ckpt = await loadCheckpoint(path);
    for (const [name, { data }] of ckpt.params) {
      const target = this.params.get(name);
      if (target === undefined) {
        throw new ActionHeadError(`${path}: parameter ${name} is not one of this head's`);
      }
      if (target.length !== data.length) {
        throw new ActionHeadError(
          `${path}: parameter ${name} has ${data.length} values, this head's has ${target.length}`,
        );
      }
      target.set(data);
    }
    if (ckpt.optimizer) this.optimizer.load(ckpt.optimizer);
    this.weightsChanged();
    return ckpt.step;
  }

  /** Number of parameters. */
  get parameterCount(): number {
    let n = 0;
    for (const p of this.params.values()) n += p.length;
    return n;
  }

  /** What onnx-train's `trainLoop` needs to train this head: its graph, program, parameters and optimizer. */
  loopParts(): Pick<TrainLoopOptions, 'graph' | 'program' | 'params' | 'optimizer'> {
    return { graph: this.graph, program: this.program, params: this.params, optimizer: this.optimizer };
  }

  /**
   * Drops the inference session, which holds the old weights, and frees it in the background; call after
   * changing `params` in place. `release()` waits for that.
   */
  weightsChanged(): void {
    const stale = this.inference;
    this.inference = undefined;
    if (stale) this.staleReleases.push(stale.release());
  }

  /**
   * The feeds of one training step on exactly `batchSize` samples: observations, flow-matching inputs
   * (timestep and noise drawn from `random`) and the action mask.
   */
  trainingFeeds(samples: readonly HeadSample[], random: () => number): Record<string, Feed> {
    const cfg = this.config;
    const B = this.batchSize;
    if (samples.length !== B) {
      throw new ActionHeadError(`trainStep: expected ${B} samples (the batch size), got ${samples.length}`);
    }
    const chunk = cfg.horizon * cfg.actionDim;
    const mask = stackRows(
      samples,
      (s) => s.actionMask,
      chunk,
      (i) => `trainStep: sample ${i} actionMask`,
    );
    // Padded dimensions are zero, as the reference pads them, so their values cannot leak into the inputs.
    const actions = stackRows(
      samples,
      (s) => s.actions,
      chunk,
      (i) => `trainStep: sample ${i} actions`,
    ).map((v, i) => v * mask[i]);
    const flow = flowMatchingBatch(actions, B, cfg.timestepBuckets, random);
    return {
      ...this.observationFeeds(samples, B),
      noisy_actions: { data: flow.noisy, shape: [B, cfg.horizon, cfg.actionDim], dtype: 'float32' },
      timestep: { data: flow.buckets, shape: [B], dtype: 'float32' },
      target_velocity: { data: flow.target, shape: [B, cfg.horizon, cfg.actionDim], dtype: 'float32' },
      action_mask: { data: mask, shape: [B, cfg.horizon, cfg.actionDim], dtype: 'float32' },
    };
  }

  /** One AdamW step on a batch of exactly `batchSize` samples (one step of onnx-train's `trainLoop`); returns the loss. */
  async trainStep(samples: readonly HeadSample[], random: () => number): Promise<number> {
    const feeds = this.trainingFeeds(samples, random);
    const [metrics] = await trainLoop({
      ...this.loopParts(),
      batch: () => feeds,
      steps: 1,
      progress: false,
      afterUpdate: () => this.weightsChanged(),
    });
    return metrics.loss;
  }

  private observationFeeds(obs: readonly HeadObservation[], B: number): Record<string, Feed> {
    const cfg = this.config;
    const pack = (pick: (o: HeadObservation) => Float32Array, per: number, what: string) =>
      stackRows(obs, pick, per, (i) => `observation ${i}: ${what}`);
    obs.forEach((o, i) => {
      if (!Number.isInteger(o.embodiment) || o.embodiment < 0 || o.embodiment >= cfg.embodiments) {
        throw new ActionHeadError(
          `observation ${i}: embodiment ${o.embodiment} is not in [0, ${cfg.embodiments})`,
        );
      }
    });
    return {
      features: {
        data: pack((o) => o.features, cfg.backboneTokens * cfg.backboneDim, 'features'),
        shape: [B, cfg.backboneTokens, cfg.backboneDim],
        dtype: 'float32',
      },
      feature_mask: {
        data: pack((o) => o.featureMask, cfg.backboneTokens, 'featureMask'),
        shape: [B, cfg.backboneTokens],
        dtype: 'float32',
      },
      state: {
        data: pack((o) => o.state, cfg.stateDim, 'state'),
        shape: [B, cfg.stateDim],
        dtype: 'float32',
      },
      embodiment: { data: BigInt64Array.from(obs, (o) => BigInt(o.embodiment)), shape: [B], dtype: 'int64' },
    };
  }

  /** The standalone inference model with the current weights embedded. */
  inferenceModel(): Uint8Array {
    const { graph, actions } = buildInferenceGraph(this.config);
    return toOnnx(graph, { outputs: [actions], parameters: 'initializers', values: this.params });
  }

  /**
   * Samples an action chunk (`[horizon, actionDim]`, normalized units) for one observation: Gaussian noise
   * from `seed`, then K Euler steps. The same seed gives the same chunk.
   */
  async predict(observation: HeadObservation, seed: number): Promise<Float32Array> {
    if (this.inference === undefined) {
      const { graph, actions } = buildInferenceGraph(this.config);
      this.inferenceActions = actions;
      this.inference = await createSession(
        toOnnx(graph, { outputs: [actions], parameters: 'initializers', values: this.params }),
        this.session,
      );
    }
    const cfg = this.config;
    const random = seededRandom(seed);
    const noise = Float32Array.from({ length: cfg.horizon * cfg.actionDim }, () => gaussian(random));
    const out = await this.inference.run({
      ...this.observationFeeds([observation], 1),
      noise: { data: noise, shape: [1, cfg.horizon, cfg.actionDim], dtype: 'float32' },
    });
    return out[this.inferenceActions!.name] as Float32Array;
  }

  /**
   * Frees the ONNX Runtime sessions, for programs that train many heads. Training steps fail afterwards;
   * `predict` and `export` still work (`predict` opens a new inference session).
   */
  async release(): Promise<void> {
    await this.program.session.release();
    await this.inference?.release();
    this.inference = undefined;
    await Promise.all(this.staleReleases.splice(0));
  }

  /** Writes the standalone inference model (inputs: features, feature_mask, state, embodiment, noise). */
  async export(path: string, options: { externalData?: boolean } = {}): Promise<void> {
    const { graph, actions } = buildInferenceGraph(this.config);
    await saveOnnx(path, graph, {
      outputs: [actions],
      values: this.params,
      externalData: options.externalData,
    });
  }
}
