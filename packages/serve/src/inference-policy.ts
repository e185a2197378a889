/**
 * A policy as openpi's server sees it (`BasePolicy.infer` plus the server's metadata): a dict of
 * observations in, a dict of outputs (at least `actions`) out. Values are what `unpackMessage`
 * gives: `NdArray`s, strings, numbers, nested objects.
 */
export interface InferencePolicy {
  /** Sent to every client as the first frame of a connection. */
  readonly metadata?: Record<string, unknown>;
  /** Maps one observation dict to one output dict. May be called concurrently from several connections. */
  infer(observation: Record<string, unknown>): Promise<Record<string, unknown>> | Record<string, unknown>;
}
