import { AdamW, type AdamWOptions, clipGradNorm } from '@roboalign/onnx-train';
import type { ScoreRow } from './data/batch.js';
import type { EncodedExample } from './data/encode.js';
import { VlmError } from './errors.js';
import { encodePrompts, type GenerateOptions, generate, type PromptInput } from './generate.js';
import type { Vlm } from './vlm.js';

/** A completion as `@roboalign/grpo` sees it. */
export interface VlmCompletion {
  ids: ArrayLike<number>;
  logprobs: ArrayLike<number>;
  text?: string;
}

/** Options of {@link VlmPolicy}. */
export interface VlmPolicyOptions extends Pick<GenerateOptions, 'maxNewTokens' | 'topP' | 'topK' | 'stop'> {
  /** AdamW settings; the learning rate of each step comes from the trainer. Default weight decay 0. */
  optimizer?: Omit<AdamWOptions, 'lr'>;
  /** Clip the global gradient norm of each step; default 1. */
  clipNorm?: number;
  /** Parameter-name prefixes left untouched, e.g. `['vision_tower.']`. */
  frozen?: readonly string[];
  /** Temperature the log-probs are scored at (TRL divides the logits by the sampling temperature); default 1. */
  temperature?: number;
  /** Rows per forward/backward pass when scoring; default 16. */
  microBatch?: number;
}

/**
 * `@roboalign/grpo`'s `LanguagePolicy` for multimodal prompts, on a {@link Vlm} whose weights it updates in
 * place: `sample` generates with the KV cache, `logprobs` teacher-forces prompt + completion, `step`
 * back-propagates grpo's ∂loss/∂log-prob seeds through the same graph and takes one AdamW step. No model is
 * re-exported and no session rebuilt: parameters are graph inputs.
 */
export class VlmPolicy {
  private readonly optimizer: AdamW;
  private readonly encoded = new WeakMap<object, EncodedExample>();
  private readonly frozen: readonly string[];

  constructor(
    readonly model: Vlm,
    private readonly options: VlmPolicyOptions = {},
  ) {
    this.optimizer = new AdamW({ lr: 0, weightDecay: 0, ...options.optimizer });
    this.frozen = options.frozen ?? [];
  }

  /**
   * A frozen copy of the current weights that only scores: the reference of the KL term. It owns its copy
   * of the model: call `release()` when training is done to free the copy's sessions.
   */
  reference(): Pick<VlmPolicy, 'logprobs'> & { release(): Promise<void> } {
    const copy = this.model.clone();
    const policy = new VlmPolicy(copy, this.options);
    return {
      logprobs: (prompts, completions) => policy.logprobs(prompts, completions),
      release: () => copy.release(),
    };
  }

  async sample(
    prompts: readonly PromptInput[],
    n: number,
    options: { temperature: number; seed: number },
  ): Promise<VlmCompletion[][]> {
    const generations = await generate(this.model, await this.encode(prompts), {
      maxNewTokens: this.options.maxNewTokens,
      topP: this.options.topP,
      topK: this.options.topK,
      stop: this.options.stop,
      n,
      temperature: options.temperature,
      seed: options.seed,
    });
    return generations.map((group) => group.map((g) => ({ ids: g.ids, logprobs: g.logprobs, text: g.text })));
  }

  async logprobs(
    prompts: readonly PromptInput[],
    completions: readonly VlmCompletion[],
  ): Promise<Float64Array[]> {
    const rows = await this.rows(
      prompts,
      completions,
      completions.map((c) => new Float64Array(c.ids.length)),
    );
    const out: Float64Array[] = [];
    for (const chunk of this.chunks(rows)) {
      const { tokenLogprobs } = await this.model.score(chunk, { logitScale: this.logitScale });
      let k = 0;
      for (const row of chunk) {
        out.push(Float64Array.from(tokenLogprobs.subarray(k, k + row.targets.length)));
        k += row.targets.length;
      }
    }
    return out;
  }

  async step(
    prompts: readonly PromptInput[],
    completions: readonly VlmCompletion[],
    gradLogprobs: readonly Float64Array[],
    options: { learningRate: number },
  ): Promise<void> {
    const rows = await this.rows(prompts, completions, gradLogprobs);
    const grads = new Map<string, Float64Array>();
    const frozen = (name: string) => this.frozen.some((p) => name.startsWith(p));
    for (const chunk of this.chunks(rows)) {
      const r = await this.model.score(chunk, {
        gradients: true,
        frozen,
        frozenKey: this.frozen.join('|'),
        logitScale: this.logitScale,
      });
      for (const [name, g] of r.grads) {
        const sum = grads.get(name) ?? new Float64Array(g.length);
        for (let i = 0; i < g.length; i++) sum[i] += g[i];
        grads.set(name, sum);
      }
    }
    clipGradNorm(grads, this.options.clipNorm ?? 1);
    this.optimizer.step(this.model.params, grads, options.learningRate);
  }

  private get logitScale(): number {
    return 1 / (this.options.temperature ?? 1);
  }

  private async encode(prompts: readonly PromptInput[]): Promise<EncodedExample[]> {
    const missing = prompts.filter((p) => !this.encoded.has(p));
    const done = await encodePrompts(this.model, missing);
    missing.forEach((p, i) => {
      this.encoded.set(p, done[i]);
    });
    return prompts.map((p) => this.encoded.get(p)!);
  }

  /** Prompt + completion rows scoring every completion token with the given weights. */
  private async rows(
    prompts: readonly PromptInput[],
    completions: readonly VlmCompletion[],
    weights: readonly ArrayLike<number>[],
  ): Promise<ScoreRow[]> {
    if (prompts.length !== completions.length || weights.length !== completions.length)
      throw new VlmError(
        `VlmPolicy: ${prompts.length} prompts, ${completions.length} completions and ${weights.length} weight rows must match`,
      );
    const encoded = await this.encode(prompts);
    return completions.map((c, i) => {
      const prompt = encoded[i];
      if (weights[i].length !== c.ids.length)
        throw new VlmError(
          `VlmPolicy: completion ${i} has ${c.ids.length} tokens but ${weights[i].length} weights`,
        );
      const ids = new Int32Array(prompt.ids.length + c.ids.length);
      ids.set(prompt.ids);
      ids.set(Array.from(c.ids), prompt.ids.length);
      return {
        ids,
        images: prompt.images,
        prefixLength: prompt.ids.length,
        targets: Array.from(c.ids, (_, k) => prompt.ids.length + k),
        weights: Array.from(weights[i]),
      };
    });
  }

  private *chunks(rows: ScoreRow[]): Generator<ScoreRow[]> {
    const size = this.options.microBatch ?? 16;
    for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
  }
}
