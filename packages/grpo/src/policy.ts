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
 * What the GRPO trainer needs from a language model, and nothing more: it never sees weights, tensors or
 * engines. Completions come back grouped: `sample(prompts, n)[p]` holds the `n` completions of prompt `p`.
 *
 * `Prompt` is whatever the model is prompted with: a string for a text LM, an object (images and text)
 * for a multimodal one. The trainer only passes prompts back to the policy and to the reward functions.
 */
export interface LanguagePolicy<Prompt = string> {
  /** Samples `n` completions per prompt. */
  sample(
    prompts: readonly Prompt[],
    n: number,
    options: { temperature: number; seed: number },
  ): Promise<Completion[][]> | Completion[][];
  /** Log-prob of each token of each completion (prompt `prompts[i]` for completion `i`), under the current weights. */
  logprobs(
    prompts: readonly Prompt[],
    completions: readonly Completion[],
  ): Promise<Float64Array[]> | Float64Array[];
  /**
   * Back-propagates `gradLogprobs` (∂loss/∂log-prob of each token, from `policyLoss`) and applies one
   * optimizer step with the given learning rate.
   */
  step(
    prompts: readonly Prompt[],
    completions: readonly Completion[],
    gradLogprobs: readonly Float64Array[],
    options: { learningRate: number },
  ): Promise<void> | void;
}

/** A frozen reference policy only scores. */
export type ReferencePolicy<Prompt = string> = Pick<LanguagePolicy<Prompt>, 'logprobs'>;

/**
 * A text-prompted {@link LanguagePolicy}.
 *
 * @deprecated Use `LanguagePolicy` (generic over the prompt type). `Policy` is kept through 0.2.x and
 * removed in 0.3.0.
 */
export type Policy = LanguagePolicy<string>;
