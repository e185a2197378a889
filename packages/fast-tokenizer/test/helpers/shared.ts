import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** `../shared` beside the repository root: the FAST+ release and real robot data (CI always has it). */
export const SHARED_DIR = resolve(import.meta.dirname, '../../../../../shared');
export const FAST_PLUS_DIR = resolve(SHARED_DIR, 'fast-plus');
export const BRIDGE_DIR = resolve(SHARED_DIR, 'data/bridge-debug');
export const G1_PARQUET = resolve(SHARED_DIR, 'data/g1/episode_000000.parquet');
/** Golden FAST+ encodes/decodes produced by the Python reference (scipy + Hugging Face tokenizers). */
export const FAST_PLUS_GOLDEN = resolve(SHARED_DIR, 'fixtures/fast-plus-golden.jsonl');

/** True when `path` exists; otherwise prints a notice that the tests needing it are skipped. */
export function sharedAvailable(path: string, what: string): boolean {
  if (existsSync(path)) return true;
  console.warn(`[notice] ${what} not found at ${path}: skipping the tests that need it (CI has ../shared).`);
  return false;
}
