import { loadPolicy as loadServablePolicy, type Policy } from '@roboalign/serve';

/** The scripted expert of the running task; only the harness can drive it, as it reads the simulator state. */
export const EXPERT = 'expert';

/**
 * Resolves a policy spec: `expert` (the scripted expert, driven by the harness), or anything
 * `@roboalign/serve`'s `loadPolicy` takes: `random`, `ws://host:port`, or the path of a policy module.
 */
export async function loadPolicy(
  spec: string,
  options: { seed?: number } = {},
): Promise<Policy | typeof EXPERT> {
  if (spec === EXPERT) return EXPERT;
  return loadServablePolicy(spec, options);
}
