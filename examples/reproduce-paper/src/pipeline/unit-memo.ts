import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '@roboalign/utils';

/**
 * The finished units of a long stage (a head and its episodes), so that a stage stopped mid-way resumes
 * after its last finished unit instead of from its start. Values must survive JSON.
 */
export interface UnitMemo {
  /** The value recorded for `unit` in this run, or `compute()`'s, recorded before it is returned. */
  run<T>(unit: string, compute: () => Promise<T>): Promise<T>;
}

/** Records nothing: every unit is computed. */
export const NO_UNIT_MEMO: UnitMemo = { run: (_unit, compute) => compute() };

interface UnitFile {
  runId: string;
  units: Record<string, unknown>;
}

/**
 * A memo kept in one JSON file, rewritten atomically after each unit. Units recorded under another `runId`
 * (the stage's hash: other code, configuration or inputs) are ignored and dropped at the next write.
 */
export async function fileUnitMemo(path: string, runId: string): Promise<UnitMemo> {
  let units: Record<string, unknown> = {};
  if (existsSync(path)) {
    let file: UnitFile;
    try {
      file = JSON.parse(await readFile(path, 'utf8')) as UnitFile;
    } catch (err) {
      throw new Error(
        `${path} is not a unit memo (${(err as Error).message}); delete it to recompute its units`,
      );
    }
    if (typeof file?.runId !== 'string' || typeof file.units !== 'object' || file.units === null)
      throw new Error(`${path} is not a unit memo (no runId and units); delete it to recompute its units`);
    if (file.runId === runId) units = file.units;
  }
  return {
    async run<T>(unit: string, compute: () => Promise<T>): Promise<T> {
      if (Object.hasOwn(units, unit)) return units[unit] as T;
      const value = await compute();
      units = { ...units, [unit]: value };
      await writeJsonAtomic(path, { runId, units } satisfies UnitFile);
      return value;
    },
  };
}
