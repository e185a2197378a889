import { mulberry32 } from '@roboalign/utils';
import type { Completion, LanguagePolicy } from '../../src/policy.js';

/**
 * An exact little policy for tests: token t of every completion is drawn from softmax(logits[t]), whatever
 * the prompt and the earlier tokens. Log-probs and their gradients with respect to the logits are analytic,
 * so the trainer is tested without any model engine. It ignores its prompts, so any prompt type fits; it
 * records the prompts of each call for tests that check what the trainer passes.
 */
export class TabularPolicy<Prompt = string> implements LanguagePolicy<Prompt> {
  readonly calls: { method: 'sample' | 'logprobs' | 'step'; prompts: readonly Prompt[] }[] = [];
  readonly logits: Float64Array;

  constructor(
    readonly vocab: number,
    readonly length: number,
    logits?: Float64Array,
  ) {
    this.logits = logits ? Float64Array.from(logits) : new Float64Array(vocab * length);
  }

  /** Probabilities at position t. */
  probs(t: number): Float64Array {
    const row = this.logits.subarray(t * this.vocab, (t + 1) * this.vocab);
    const max = Math.max(...row);
    const e = row.map((z) => Math.exp(z - max));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  }

  sample(
    prompts: readonly Prompt[],
    n: number,
    options: { temperature: number; seed: number },
  ): Completion[][] {
    this.calls.push({ method: 'sample', prompts });
    const rand = mulberry32(options.seed + 1);
    const probs = Array.from({ length: this.length }, (_, t) => this.probs(t));
    return prompts.map(() =>
      Array.from({ length: n }, () => {
        const ids: number[] = [];
        const logprobs: number[] = [];
        for (let t = 0; t < this.length; t++) {
          let u = rand();
          let v = 0;
          while (v < this.vocab - 1 && u >= probs[t][v]) u -= probs[t][v++];
          ids.push(v);
          logprobs.push(Math.log(probs[t][v]));
        }
        return { ids, logprobs, text: ids.join(' ') };
      }),
    );
  }

  logprobs(prompts: readonly Prompt[], completions: readonly Completion[]): Float64Array[] {
    this.calls.push({ method: 'logprobs', prompts });
    const probs = Array.from({ length: this.length }, (_, t) => this.probs(t));
    return completions.map((c) => Float64Array.from(c.ids as number[], (id, t) => Math.log(probs[t][id])));
  }

  /** SGD on the logits: ∂loss/∂z[t][v] = Σ_i g[i][t] (1[v = y_it] - p[t][v]). */
  step(
    prompts: readonly Prompt[],
    completions: readonly Completion[],
    grads: readonly Float64Array[],
    options: { learningRate: number },
  ): void {
    this.calls.push({ method: 'step', prompts });
    const probs = Array.from({ length: this.length }, (_, t) => this.probs(t));
    const dz = new Float64Array(this.logits.length);
    completions.forEach((c, i) => {
      for (let t = 0; t < this.length; t++) {
        const g = grads[i][t];
        for (let v = 0; v < this.vocab; v++) dz[t * this.vocab + v] -= g * probs[t][v];
        dz[t * this.vocab + c.ids[t]] += g;
      }
    });
    for (let k = 0; k < dz.length; k++) this.logits[k] -= options.learningRate * dz[k];
  }
}
