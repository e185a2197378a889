/** One sampled completion. */
export interface Completion {
  /** Token ids of the completion. */
  ids: ArrayLike<number>;
  /** Log-prob of each token under the policy that sampled it. */
  logprobs: ArrayLike<number>;
  /** Decoded text, for text-based rewards. */
  text?: string;
}

/**
 * What the GRPO trainer needs from a model, and nothing more: it never sees weights, tensors or engines.
 * Completions come back grouped: `sample(prompts, n)[p]` holds the `n` completions of prompt `p`.
 */
export interface Policy {
  /** Samples `n` completions per prompt. */
  sample(
    prompts: readonly string[],
    n: number,
    options: { temperature: number; seed: number },
  ): Promise<Completion[][]> | Completion[][];
  /** Log-prob of each token of each completion (prompt `prompts[i]` for completion `i`), under the current weights. */
  logprobs(
    prompts: readonly string[],
    completions: readonly Completion[],
  ): Promise<Float64Array[]> | Float64Array[];
  /**
   * Back-propagates `gradLogprobs` (∂loss/∂log-prob of each token, from `policyLoss`) and applies one
   * optimizer step with the given learning rate.
   */
  step(
    prompts: readonly string[],
    completions: readonly Completion[],
    gradLogprobs: readonly Float64Array[],
    options: { learningRate: number },
  ): Promise<void> | void;
}

/** A frozen reference policy only scores. */
export type ReferencePolicy = Pick<Policy, 'logprobs'>;
