import type { Completion, LanguagePolicy } from '@roboalign/grpo';
import {
  AdamW,
  compileTraining,
  createSession,
  embedding,
  type Feed,
  Graph,
  initialValues,
  layerNorm,
  learnedPositions,
  linear,
  mulberry32,
  ops,
  type Session,
  sampleToken,
  type TrainingProgram,
  toOnnx,
  transformerBlock,
  type Value,
} from '@roboalign/onnx-train';

/** Shape of the tiny decoder. */
export interface TinyLmConfig {
  /** Token vocabulary (e.g. FAST ids of a small tokenizer). Token 0 is the start token. */
  vocab: number;
  /** Tokens per completion. */
  length: number;
  /** Completions per batch (prompts × group size): the graphs have static shapes. */
  batch: number;
  width: number;
  heads: number;
}

/** The decoder: start token + the tokens so far → log-probs of the next token at every position. */
function decoder(g: Graph, cfg: TinyLmConfig, ids: Value): Value {
  let h = learnedPositions(g, embedding(g, ids, 'tok', cfg.vocab, cfg.width, { seed: 1 }), 'pos', {
    seed: 1,
  });
  h = transformerBlock(g, h, 'blocks.0', { heads: cfg.heads, causal: true, mlpRatio: 2, seed: 1 });
  return ops.logSoftmax(linear(g, layerNorm(g, h, 'ln_f'), 'head', cfg.vocab, { bias: false, seed: 1 }), -1);
}

/**
 * A GRPO `LanguagePolicy` (text prompts) backed by a tiny decoder LM built, differentiated and run with
 * `@roboalign/onnx-train`.
 * `step()` receives ∂loss/∂log-prob for every sampled token from `@roboalign/grpo` and back-propagates it
 * through the network as a seed (the surrogate Σ seed · log-prob has exactly that gradient).
 */
export class TinyLmPolicy implements LanguagePolicy<string> {
  private constructor(
    readonly config: TinyLmConfig,
    private readonly forwardGraph: { graph: Graph; logProbs: Value },
    private forward: Session,
    private readonly program: TrainingProgram,
    readonly params: Map<string, Float32Array | Float64Array>,
    private readonly optimizer: AdamW,
  ) {}

  static async create(config: TinyLmConfig, lr = 1e-2): Promise<TinyLmPolicy> {
    // Forward graph for sampling and scoring.
    const fg = new Graph();
    const logProbs = decoder(fg, config, fg.input('ids', [config.batch, config.length], 'int64'));
    // Training graph: the surrogate Σ seed · log p(token), whose gradient is the GRPO seed back-propagated.
    const tg = new Graph();
    const tokenLogProbs = ops.reduceSum(
      ops.mul(
        decoder(tg, config, tg.input('ids', [config.batch, config.length], 'int64')),
        tg.input('onehot', [config.batch, config.length, config.vocab]),
      ),
      [2],
    );
    const surrogate = ops.reduceSum(
      ops.mul(tokenLogProbs, tg.input('seed', [config.batch, config.length])),
      [0, 1],
    );
    const program = await compileTraining(tg, surrogate);
    const params = initialValues(tg);
    const forward = await createSession(
      toOnnx(fg, { outputs: [logProbs], parameters: 'initializers', values: params }),
    );
    return new TinyLmPolicy(
      config,
      { graph: fg, logProbs },
      forward,
      program,
      params,
      new AdamW({ lr, weightDecay: 0 }),
    );
  }

  /** Inputs of the decoder for completions: the start token, then each completion without its last token. */
  private inputIds(tokens: readonly ArrayLike<number>[]): BigInt64Array {
    const { batch, length } = this.config;
    const ids = new BigInt64Array(batch * length);
    tokens.forEach((t, i) => {
      for (let k = 1; k < length; k++) ids[i * length + k] = BigInt(t[k - 1]);
    });
    return ids;
  }

  private async logProbTable(tokens: readonly ArrayLike<number>[]): Promise<Float32Array> {
    const { batch, length } = this.config;
    const feeds: Record<string, Feed> = {
      ids: { data: this.inputIds(tokens), shape: [batch, length], dtype: 'int64' },
    };
    return (await this.forward.run(feeds))[this.forwardGraph.logProbs.name] as Float32Array;
  }

  async sample(
    prompts: readonly string[],
    n: number,
    options: { temperature: number; seed: number },
  ): Promise<Completion[][]> {
    const { batch, length, vocab } = this.config;
    if (prompts.length * n !== batch)
      throw new Error(`TinyLmPolicy: ${prompts.length} prompts × ${n} must equal the batch ${batch}`);
    const random = mulberry32(options.seed);
    const tokens = Array.from({ length: batch }, () => new Array<number>(length).fill(0));
    const logprobs = Array.from({ length: batch }, () => new Array<number>(length).fill(0));
    // Autoregressive: position t sees the tokens before it (the causal mask hides the rest).
    for (let t = 0; t < length; t++) {
      const table = await this.logProbTable(tokens);
      for (let i = 0; i < batch; i++) {
        const row = table.subarray((i * length + t) * vocab, (i * length + t + 1) * vocab);
        const { id, logprob } = sampleToken(row, { temperature: options.temperature, random });
        tokens[i][t] = id;
        logprobs[i][t] = logprob;
      }
    }
    return prompts.map((_, p) =>
      Array.from({ length: n }, (_, k) => ({ ids: tokens[p * n + k], logprobs: logprobs[p * n + k] })),
    );
  }

  async logprobs(_prompts: readonly string[], completions: readonly Completion[]): Promise<Float64Array[]> {
    const { length, vocab } = this.config;
    const table = await this.logProbTable(completions.map((c) => c.ids));
    return completions.map((c, i) =>
      Float64Array.from({ length }, (_, t) => table[(i * length + t) * vocab + c.ids[t]]),
    );
  }

  async step(
    _prompts: readonly string[],
    completions: readonly Completion[],
    gradLogprobs: readonly Float64Array[],
    options: { learningRate: number },
  ): Promise<void> {
    const { batch, length, vocab } = this.config;
    const onehot = new Float32Array(batch * length * vocab);
    const seed = new Float32Array(batch * length);
    completions.forEach((c, i) => {
      for (let t = 0; t < length; t++) {
        onehot[(i * length + t) * vocab + c.ids[t]] = 1;
        seed[i * length + t] = gradLogprobs[i][t];
      }
    });
    const { grads } = await this.program.step(
      {
        ids: { data: this.inputIds(completions.map((c) => c.ids)), shape: [batch, length], dtype: 'int64' },
        onehot: { data: onehot, shape: [batch, length, vocab], dtype: 'float32' },
        seed: { data: seed, shape: [batch, length], dtype: 'float32' },
      },
      this.params,
    );
    this.optimizer.step(this.params, grads, options.learningRate);
    // Refresh the sampling model with the new weights.
    await this.forward.release();
    this.forward = await createSession(
      toOnnx(this.forwardGraph.graph, {
        outputs: [this.forwardGraph.logProbs],
        parameters: 'initializers',
        values: this.params,
      }),
    );
  }
}
