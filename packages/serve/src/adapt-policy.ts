/** Serving one of our `Policy`s under openpi's LIBERO keys. */

import type { InferencePolicy } from './inference-policy.js';
import { actionChunkToReply, type LiberoExpectations, liberoToObservation } from './libero.js';
import type { Policy } from './policy.js';

/** Options of `adaptPolicy`. */
export interface AdaptPolicyOptions extends LiberoExpectations {
  /** Sent to clients as the connection's first frame (openpi's `policy.metadata`); default `{}`. */
  readonly metadata?: Record<string, unknown>;
}

/**
 * Turns `policy` into an `InferencePolicy` speaking openpi's LIBERO dicts: it checks the observation
 * (see `liberoToObservation`), calls `policy.reset(prompt)` whenever the prompt differs from the previous
 * request's, and replies `{actions: float32 [horizon, 7]}`. Calls are serialized (one `reset`/`act` at a
 * time, in arrival order) because a `Policy` may keep per-episode state; that state is shared by all
 * connections, so clients running different prompts at once make it reset on every switch.
 */
export function adaptPolicy(policy: Policy, options: AdaptPolicyOptions = {}): InferencePolicy {
  let lastPrompt: string | undefined;
  let tail: Promise<unknown> = Promise.resolve();

  const inferOne = async (message: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const observation = liberoToObservation(message, options);
    if (observation.instruction !== lastPrompt) {
      await policy.reset?.(observation.instruction);
      lastPrompt = observation.instruction;
    }
    return actionChunkToReply(await policy.act(observation));
  };

  return {
    metadata: options.metadata ?? {},
    infer(message) {
      const result = tail.then(() => inferOne(message));
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
