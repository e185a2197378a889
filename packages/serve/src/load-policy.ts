import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mulberry32 } from '@roboalign/utils';
import { remotePolicy } from './client.js';
import { ServeError } from './errors.js';
import { ACTION_DIM, type ActionChunk, type Policy } from './policy.js';

/** Uniform random actions in [−1, 1], `horizon` per chunk (default 10, as the `serve --policy random` contract). */
export function randomPolicy(seed = 0, horizon = 10): Policy {
  const rng = mulberry32(seed);
  return {
    act(): ActionChunk {
      const actions = new Float32Array(horizon * ACTION_DIM);
      for (let i = 0; i < actions.length; i++) actions[i] = 2 * rng() - 1;
      return { horizon, actions };
    },
  };
}

/** What a policy module exports: `default` or `createPolicy`, a policy or a function that makes one. */
type PolicyFactory = (options: { seed: number }) => Policy | Promise<Policy>;

function isPolicy(value: unknown): value is Policy {
  return typeof value === 'object' && value !== null && typeof (value as Policy).act === 'function';
}

/**
 * Resolves a policy spec: `random`, `ws://host:port` (an openpi-protocol server), or the path of an ES module
 * whose `default` or `createPolicy` export is a `Policy` or a function `({ seed }) => Policy`.
 */
export async function loadPolicy(spec: string, options: { seed?: number } = {}): Promise<Policy> {
  const seed = options.seed ?? 0;
  if (spec === 'random') return randomPolicy(seed);
  if (/^wss?:\/\//.test(spec)) return remotePolicy(spec, { retry: { attempts: 20, delayMs: 250 } });
  const url = pathToFileURL(resolve(spec)).href;
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new ServeError(
      `policy module ${spec}: could not import it: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const exported = module.createPolicy ?? module.default;
  if (isPolicy(exported)) return exported;
  if (typeof exported === 'function') {
    const made = await (exported as PolicyFactory)({ seed });
    if (isPolicy(made)) return made;
  }
  throw new ServeError(
    `policy module ${spec}: export a Policy ({ act(observation) }) or a function returning one, as "createPolicy" or "default"`,
  );
}
