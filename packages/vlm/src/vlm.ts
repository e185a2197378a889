import type { Feed, SessionOptions, TensorData } from '@roboalign/onnx-train';
import {
  parameterCount,
  tokensPerImage,
  VLM_PRESETS,
  type VlmArchitecture,
  type VlmConfig,
  type VlmPresetName,
  validateConfig,
} from './config.js';
import { bucket, type ScoreRow, scoreFeeds } from './data/batch.js';
import { VlmError } from './errors.js';
import { type Features, type FeaturesOptions, features } from './features.js';
import { type GenerateOptions, type Generation, generate, type PromptInput } from './generate.js';
import { type CompiledGraph, compileGraph, runCompiled } from './model/compiled.js';
import {
  buildDecodeGraph,
  buildFeaturesGraph,
  buildPrefillGraph,
  buildTokenScoreGraph,
} from './model/graphs.js';
import type { VlmRuntime } from './model/runtime.js';
import { initParameters, loadWeights, saveWeights, type VlmParameters } from './model/weights.js';
import type { VlmTokenizer } from './tokenizer/vlm-tokenizer.js';

/** Options of {@link Vlm.create}. */
export interface CreateVlmOptions {
  /** A preset name or a full architecture; default `tiny`. */
  architecture?: VlmPresetName | VlmArchitecture;
  /** Context length; default the tokenizer's `model_max_length`. */
  maxLength?: number;
  /** Initialization seed; default 0. */
  seed?: number;
  /** ONNX Runtime options of every session (e.g. `executionProviders: ['cuda', 'cpu']`). */
  session?: SessionOptions;
}

/** Options of {@link Vlm.score}. */
export interface ScoreOptions {
  /** Also compute gradients; default false (forward only). */
  gradients?: boolean;
  /** Parameters that get no gradient (e.g. the vision tower). */
  frozen?: (name: string) => boolean;
  /** Names the `frozen` set in the compiled-graph cache; required when `frozen` changes between calls. */
  frozenKey?: string;
  /** `1 / temperature`; default 1. */
  logitScale?: number;
}

/** The result of {@link Vlm.score}. */
export interface ScoreResult {
  /** `Σ weight · log p` over the targets. */
  loss: number;
  /** Log-prob of each target, row by row in the order given. */
  tokenLogprobs: Float32Array;
  /** ∂loss/∂parameter (only with `gradients: true`), for the parameters not frozen. */
  grads: Map<string, Float32Array>;
}

/**
 * Gradient graphs kept loaded at once. They run with ONNX Runtime's CPU memory arena: without it every
 * intermediate is a fresh allocation whose pages fault in on first touch, and the `tiny` SFT step ran 24%
 * slower (kernels 388 vs 302 ms at batch 16 × 176 tokens, AMD EPYC). Each arena keeps its graph's peak, so
 * only the most recently used few stay loaded; older shapes are released and recompiled when met again.
 */
export const TRAINING_ARENA_GRAPHS = 2;

/**
 * A small vision-language model: a ViT per camera image, an MLP projector, and a decoder-only LM (RMSNorm,
 * rotary positions, SwiGLU, tied embeddings) with a prefix-LM mask. Weights live in {@link params}
 * (Hugging Face names, float32) and are fed to ONNX Runtime on every run, so training, generation and
 * features always see the current values without re-exporting.
 */
export class Vlm implements VlmRuntime {
  private readonly compiled = new Map<string, Promise<CompiledGraph>>();
  /**
   * ONNX Runtime options of every compiled graph. The memory arena is off unless asked for: a graph is
   * compiled per padded shape, and with the arena each session kept its peak memory (SFT on mixed sources
   * grew to 24 GB and was killed). Gradient graphs are the exception: see {@link TRAINING_ARENA_GRAPHS}.
   */
  readonly sessionOptions: SessionOptions;
  /** Whether gradient graphs get the arena (the caller left `memoryArena` unset). */
  private readonly arenaForTraining: boolean;
  /** Keys of the loaded gradient graphs, least recently used first. */
  private readonly trainingKeys: string[] = [];
  /** Runs in flight per graph key: a graph is never released under a run. */
  private readonly running = new Map<string, number>();

  constructor(
    readonly config: VlmConfig,
    /** Parameter values, updated in place by training. */
    readonly params: VlmParameters,
    readonly tokenizer: VlmTokenizer,
    sessionOptions: SessionOptions = {},
  ) {
    this.sessionOptions = { memoryArena: false, ...sessionOptions };
    this.arenaForTraining = sessionOptions.memoryArena === undefined;
    validateConfig(config);
    if (tokenizer.vocabSize !== config.vocabSize)
      throw new VlmError(`the tokenizer has ${tokenizer.vocabSize} ids but the model ${config.vocabSize}`);
    if (tokenizer.imageTokens !== tokensPerImage(config))
      throw new VlmError(
        `the tokenizer expands an image to ${tokenizer.imageTokens} tokens but the model has ${tokensPerImage(config)} patches`,
      );
  }

  /** A freshly initialized model whose vocabulary and image tokens come from `tokenizer`. */
  static create(tokenizer: VlmTokenizer, options: CreateVlmOptions = {}): Vlm {
    const arch = options.architecture ?? 'tiny';
    const base: VlmArchitecture = typeof arch === 'string' ? VLM_PRESETS[arch] : arch;
    if (base === undefined)
      throw new VlmError(
        `unknown preset ${JSON.stringify(arch)}; presets: ${Object.keys(VLM_PRESETS).join(', ')}`,
      );
    const config = validateConfig({
      ...structuredClone(base),
      vocabSize: tokenizer.vocabSize,
      imageTokenId: tokenizer.ids.imagePad,
      maxLength: options.maxLength ?? tokenizer.maxLength,
    });
    return new Vlm(config, initParameters(config, options.seed ?? 0), tokenizer, options.session);
  }

  /** Loads `config.json` + `model.safetensors` from `dir`. */
  static async load(dir: string, tokenizer: VlmTokenizer, session?: SessionOptions): Promise<Vlm> {
    const { config, params } = await loadWeights(dir);
    return new Vlm(config, params, tokenizer, session);
  }

  /**
   * Copies the weights saved in `dir` into this model's arrays, keeping its compiled graphs: a model of the
   * same configuration (another variant, a checkpoint) runs without compiling anything again.
   */
  async loadWeightsFrom(dir: string): Promise<void> {
    const { config, params } = await loadWeights(dir);
    const canonical = (c: VlmConfig) =>
      JSON.stringify(c, (_k, v) =>
        v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v,
      );
    if (canonical(config) !== canonical(this.config))
      throw new VlmError(`${dir} holds a model of another configuration than this one`);
    for (const [name, values] of params) this.params.get(name)!.set(values);
  }

  /** Writes `config.json` + `model.safetensors` into `dir`. */
  save(dir: string): Promise<void> {
    return saveWeights(dir, this.config, this.params);
  }

  /** A copy with its own parameter arrays (e.g. a frozen reference for the KL term). */
  clone(): Vlm {
    const params: VlmParameters = new Map([...this.params].map(([k, v]) => [k, v.slice()]));
    return new Vlm(structuredClone(this.config), params, this.tokenizer, this.sessionOptions);
  }

  /** Number of parameters. */
  get parameterCount(): number {
    return parameterCount(this.config);
  }

  /** One line that names the size, as the presets print it. */
  describe(): string {
    const t = this.config.text;
    const v = this.config.vision;
    return `VLM ${(this.parameterCount / 1e6).toFixed(2)}M parameters: vision ${v.layers}×${v.width}, LM ${t.layers}×${t.width} (${t.heads} heads, SwiGLU ${t.mlpHidden}), vocabulary ${this.config.vocabSize}, context ${this.config.maxLength}`;
  }

  private graph(key: string, build: () => Promise<CompiledGraph>): Promise<CompiledGraph> {
    let entry = this.compiled.get(key);
    if (entry === undefined) {
      entry = build();
      this.compiled.set(key, entry);
      entry.catch(() => this.compiled.delete(key));
    }
    return entry;
  }

  /**
   * Teacher-forced log-probs of target tokens, and with `gradients` the gradient of `Σ weight · log p`
   * with respect to every parameter that `frozen` does not match.
   */
  async score(rows: readonly ScoreRow[], options: ScoreOptions = {}): Promise<ScoreResult> {
    const total = rows.reduce((n, r) => n + r.targets.length, 0);
    const result = await this.runScore(this.scoreFeeds(rows, options.logitScale), options);
    return { ...result, tokenLogprobs: result.tokenLogprobs.slice(0, total) };
  }

  /**
   * The score graph's feeds for `rows`: right-padded to a multiple of 16 tokens and targets padded (with
   * weight 0) to a multiple of 32, so batches of similar size share one compiled graph.
   */
  scoreFeeds(rows: readonly ScoreRow[], logitScale = 1): Record<string, Feed> {
    if (rows.length === 0) throw new VlmError('score: no rows');
    const longest = Math.max(...rows.map((r) => r.ids.length));
    if (longest > this.config.maxLength)
      throw new VlmError(`a row of ${longest} tokens is longer than the context of ${this.config.maxLength}`);
    const length = Math.min(bucket(longest, 16), this.config.maxLength);
    const targets = bucket(
      rows.reduce((n, r) => n + r.targets.length, 0),
      32,
    );
    return scoreFeeds(
      this.config,
      rows,
      { length, targets },
      {
        imageTokenId: this.config.imageTokenId,
        padId: this.tokenizer.ids.pad,
        logitScale,
      },
    );
  }

  /** Runs the score graph on feeds from {@link scoreFeeds} (targets are all padded ones included). */
  async runScore(feeds: Readonly<Record<string, Feed>>, options: ScoreOptions = {}): Promise<ScoreResult> {
    const [batch, length] = feeds.input_ids.shape;
    const [targets] = feeds.target_index.shape;
    const train = options.gradients ?? false;
    const shape = { batch, length, targets };
    const key = `score:${batch}x${length}x${targets}:${train ? `grad:${options.frozenKey ?? ''}` : 'forward'}`;
    const arena = train && this.arenaForTraining;
    // Counted from before the graph is fetched, so no other call releases it in between.
    this.running.set(key, (this.running.get(key) ?? 0) + 1);
    let result: Awaited<ReturnType<typeof runCompiled>>;
    try {
      const compiled = await this.graph(key, async () => {
        const { graph, loss, tokenLogprobs } = buildTokenScoreGraph(this.config, this.params, shape);
        return compileGraph(graph, [loss, tokenLogprobs], {
          loss: train ? loss : undefined,
          differentiate: (name) => !(options.frozen?.(name) ?? false),
          session: arena ? { ...this.sessionOptions, memoryArena: true } : this.sessionOptions,
        });
      });
      if (arena) await this.keepRecentTrainingGraphs(key);
      result = await runCompiled(compiled, feeds, this.params);
    } finally {
      const left = this.running.get(key)! - 1;
      if (left === 0) this.running.delete(key);
      else this.running.set(key, left);
    }
    const { outputs, grads } = result;
    return {
      loss: Number((outputs.loss as Float32Array)[0]),
      tokenLogprobs: outputs.token_logprobs as Float32Array,
      grads,
    };
  }

  /**
   * Marks gradient graph `key` as just used and releases the least recently used ones beyond
   * {@link TRAINING_ARENA_GRAPHS} that no run is using, so arena memory stays bounded however many shapes
   * training meets.
   */
  private async keepRecentTrainingGraphs(key: string): Promise<void> {
    const at = this.trainingKeys.indexOf(key);
    if (at >= 0) this.trainingKeys.splice(at, 1);
    this.trainingKeys.push(key);
    const stale = this.trainingKeys
      .slice(0, Math.max(0, this.trainingKeys.length - TRAINING_ARENA_GRAPHS))
      .filter((k) => (this.running.get(k) ?? 0) === 0);
    for (const k of stale) {
      this.trainingKeys.splice(this.trainingKeys.indexOf(k), 1);
      const entry = this.compiled.get(k);
      this.compiled.delete(k);
      if (entry !== undefined) await (await entry).session.release();
    }
  }

  /** The number of gradient graphs loaded at once (see {@link TRAINING_ARENA_GRAPHS}). */
  get loadedTrainingGraphs(): number {
    return this.trainingKeys.length;
  }

  /** Runs the prefill graph for `[batch, length]` feeds (see {@link buildPrefillGraph}). */
  async prefill(
    feeds: Record<string, Feed>,
    batch: number,
    length: number,
  ): Promise<Record<string, TensorData>> {
    const compiled = await this.graph(`prefill:${batch}x${length}`, () => {
      const { graph, logits, present } = buildPrefillGraph(this.config, this.params, { batch, length });
      return compileGraph(graph, [logits, ...present], { session: this.sessionOptions });
    });
    return (await runCompiled(compiled, feeds, this.params)).outputs;
  }

  /** Runs one decode step with a cache of `cacheLength` slots (see {@link buildDecodeGraph}). */
  async decodeStep(
    feeds: Record<string, Feed>,
    batch: number,
    cacheLength: number,
  ): Promise<Record<string, TensorData>> {
    const compiled = await this.graph(`decode:${batch}x${cacheLength}`, () => {
      const { graph, logits, present } = buildDecodeGraph(this.config, this.params, { batch, cacheLength });
      return compileGraph(graph, [logits, ...present], { session: this.sessionOptions });
    });
    return (await runCompiled(compiled, feeds, this.params)).outputs;
  }

  /** Runs the features graph: hidden states after `layer` decoder layers. */
  async hiddenStates(
    feeds: Record<string, Feed>,
    batch: number,
    length: number,
    layer: number,
  ): Promise<Float32Array> {
    if (!(Number.isInteger(layer) && layer >= 0 && layer <= this.config.text.layers))
      throw new VlmError(`layer must be an integer in [0, ${this.config.text.layers}], got ${layer}`);
    const compiled = await this.graph(`features:${batch}x${length}:${layer}`, () => {
      const { graph, hidden } = buildFeaturesGraph(this.config, this.params, { batch, length, layer });
      return compileGraph(graph, [hidden], { session: this.sessionOptions });
    });
    return (await runCompiled(compiled, feeds, this.params)).outputs.hidden_states as Float32Array;
  }

  /** Samples completions with the KV cache; see {@link generate}. */
  generate(prompts: readonly PromptInput[], options: GenerateOptions = {}): Promise<Generation[][]> {
    return generate(this, prompts, options);
  }

  /** Hidden states of one LM layer over the prompts; see {@link features}. */
  features(prompts: readonly PromptInput[], options: FeaturesOptions = {}): Promise<Features> {
    return features(this, prompts, options);
  }

  /** Releases every ONNX Runtime session. */
  async release(): Promise<void> {
    const all = [...this.compiled.values()];
    this.compiled.clear();
    this.trainingKeys.length = 0;
    await Promise.all(all.map(async (c) => (await c).session.release()));
  }
}
