import { BenchError } from '../errors.js';
import { CALVIN_STYLE_SUITE } from '../suites/calvin-style.js';
import { LIBERO_STYLE_SUITES } from '../suites/libero-style.js';
import type { Suite } from '../suites/task.js';

/** Every suite, by name: `libero-spatial`, `libero-object`, `libero-goal`, `libero-long`, `calvin`. */
export const SUITES: readonly Suite[] = [...LIBERO_STYLE_SUITES, CALVIN_STYLE_SUITE as Suite];

/** The suite called `name`, or an error listing the names there are. */
export function getSuite(name: string): Suite {
  const suite = SUITES.find((s) => s.name === name);
  if (!suite)
    throw new BenchError(`unknown suite "${name}"; choose one of: ${SUITES.map((s) => s.name).join(', ')}`);
  return suite;
}
