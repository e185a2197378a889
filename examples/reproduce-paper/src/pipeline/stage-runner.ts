import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '@roboalign/utils';
import { fileUnitMemo, type UnitMemo } from './unit-memo.js';
import { VARIANTS, type Variant } from './variants.js';

/** The benchmark stages, one per language-model variant, in the variants' order. */
const VLA_STAGES = VARIANTS.map((v): `vla-${Variant}` => `vla-${v}`);

/** A stage of the pipeline: one per language-model variant and one per variant's benchmark, and the shared ones. */
export type StageName =
  | 'data'
  | 'tokenizer'
  | 'vision'
  | Variant
  | 'lm-eval'
  | 'export'
  | 'demos'
  | 'vla-ablation'
  | (typeof VLA_STAGES)[number]
  | 'report';

/**
 * The pipeline's stages, in the order they run; `--from` forces one and every stage after it. A run runs the
 * variant stages of its variants only (see `--variants`).
 */
export const STAGES: readonly StageName[] = [
  'data',
  'tokenizer',
  'vision',
  ...VARIANTS,
  'lm-eval',
  'export',
  'demos',
  'vla-ablation',
  ...VLA_STAGES,
  'report',
];

/** What a finished stage leaves in `stages/<name>.json`. */
export interface StageRecord<T> {
  stage: StageName;
  /** Hash of the code, the stage's configuration and the records of the stages it reads. */
  hash: string;
  /** The code fingerprint (source hash) the stage ran with. */
  code: string;
  seconds: number;
  finishedAt: string;
  /** The machine the stage ran on (CPU model, cores, vector instruction sets); absent in older records. */
  machine?: string;
  value: T;
}

/** A failure inside a stage, naming the stage and the artifact folder. */
export class StageError extends Error {
  override readonly name = 'StageError';
}

/** Where a run folder keeps a stage's record. */
function stageRecordPath(out: string, stage: StageName): string {
  return join(out, 'stages', `${stage}.json`);
}

/** Where a run folder keeps the finished units of a stage that is still running (see `fileUnitMemo`). */
export function unitMemoPath(out: string, stage: StageName): string {
  return join(out, 'stages', 'units', `${stage}.json`);
}

/** A finished stage's record in the run folder `out`; throws naming the file when the stage has not run. */
export async function readStageRecord<T>(out: string, stage: StageName): Promise<StageRecord<T>> {
  const path = stageRecordPath(out, stage);
  if (!existsSync(path)) throw new Error(`no finished ${stage} stage in ${out} (${path} is missing)`);
  return JSON.parse(await readFile(path, 'utf8')) as StageRecord<T>;
}

/**
 * Runs stages whose artifacts live in one results folder. A stage is skipped when its record exists
 * with the same hash (the code, its configuration and its inputs' hashes are unchanged) and it is not
 * forced; otherwise it runs and its record is written last, atomically, so an interrupted stage reruns
 * (keeping the units it finished, see {@link unitMemoPath}; a forced stage drops them and starts over).
 */
export class StageRunner {
  private readonly forced: ReadonlySet<StageName>;
  readonly records = new Map<StageName, StageRecord<unknown>>();

  /** `code` fingerprints the sources (see `codeFingerprint`): a code change reruns every stage. */
  constructor(
    readonly out: string,
    options: { code: string; from?: StageName; log?: (line: string) => void; machine?: string },
  ) {
    this.code = options.code;
    this.machine = options.machine;
    const from = options.from === undefined ? STAGES.length : STAGES.indexOf(options.from);
    this.forced = new Set(STAGES.slice(from));
    this.log = options.log ?? (() => {});
  }

  private readonly log: (line: string) => void;
  private readonly code: string;
  private readonly machine: string | undefined;

  /**
   * Runs (or skips) `stage`; `inputs` are the stages whose results it reads. `fn` gets the stage's hash, to
   * tie state that outlives an interruption (checkpoints) to this configuration, and the stage's unit memo,
   * holding the units an interrupted run of the same hash finished.
   */
  async run<T>(
    stage: StageName,
    config: unknown,
    inputs: readonly StageName[],
    fn: (hash: string, units: UnitMemo) => Promise<T>,
  ): Promise<T> {
    const hash = this.hashOf(stage, config, inputs);
    const path = stageRecordPath(this.out, stage);
    if (!this.forced.has(stage) && existsSync(path)) {
      const record = await readStageRecord<T>(this.out, stage);
      if (record.hash === hash) {
        this.records.set(stage, record);
        this.log(`[${stage}] unchanged, skipped (${record.seconds.toFixed(1)} s when it ran)`);
        return record.value;
      }
    }
    if (this.forced.has(stage)) await rm(unitMemoPath(this.out, stage), { force: true });
    this.log(`[${stage}] running`);
    const t0 = performance.now();
    let value: T;
    try {
      value = await fn(hash, await fileUnitMemo(unitMemoPath(this.out, stage), hash));
    } catch (err) {
      throw new StageError(`stage ${stage} failed (artifacts in ${this.out}): ${(err as Error).message}`, {
        cause: err,
      });
    }
    const record: StageRecord<T> = {
      stage,
      hash,
      code: this.code,
      seconds: (performance.now() - t0) / 1000,
      finishedAt: new Date().toISOString(),
      ...(this.machine === undefined ? {} : { machine: this.machine }),
      value,
    };
    await writeJsonAtomic(path, record);
    this.records.set(stage, record);
    this.log(`[${stage}] done in ${record.seconds.toFixed(1)} s`);
    return value;
  }

  /** The hash `run` gives `stage`: of the code, its configuration and the records of the stages it reads. */
  hashOf(stage: StageName, config: unknown, inputs: readonly StageName[]): string {
    const h = createHash('sha256').update(stage).update(this.code).update(JSON.stringify(config));
    for (const input of inputs) {
      const record = this.records.get(input);
      if (record === undefined) throw new StageError(`stage ${stage} reads ${input}, which has not run`);
      h.update(record.hash);
    }
    return h.digest('hex').slice(0, 16);
  }

  /**
   * Where and when each stage that ran or was read was computed, for the manifest: a re-run that skipped a
   * stage reports the machine and time of the run that computed it, not its own.
   */
  provenance(): Record<
    string,
    { seconds: number; finishedAt: string; code: string; machine: string | null }
  > {
    return Object.fromEntries(
      [...this.records].map(([name, r]) => [
        name,
        {
          seconds: +r.seconds.toFixed(2),
          finishedAt: r.finishedAt,
          code: r.code,
          machine: r.machine ?? null,
        },
      ]),
    );
  }

  /** Wall time of every stage that ran or was read, for the manifest. */
  wallTimes(): Record<string, number> {
    return Object.fromEntries([...this.records].map(([name, r]) => [name, +r.seconds.toFixed(2)]));
  }
}
