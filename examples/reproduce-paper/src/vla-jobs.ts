// `--jobs N`: the VLA stages in N processes at once, each taking the next unclaimed stage as it comes free
// (`claimVlaStage`) and a share of the cores (`threadsPerWorker`); they share the results folder, whose
// stage records are written atomically.
import { spawn } from 'node:child_process';
import { readdir, rm, rmdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { STAGES, type StageName } from './pipeline/stage-runner.js';
import type { Variant } from './pipeline/variants.js';

/** What a worker process is started with, beside its worker index. */
export interface VlaWorkerCommand {
  preset: string;
  out: string;
  variants?: readonly Variant[];
  device: 'cpu' | 'cuda';
  /** The run's `--from`; see {@link workerFrom}. */
  from?: StageName;
}

/**
 * The `--from` a worker gets. A `--from` before the VLA stages has already forced those stages in the
 * preparing run, so a worker forces only its VLA stages (from the first of them); a `--from` at a VLA stage
 * passes through. A worker must never force a stage before the VLA stages: every worker would recompute it.
 */
export function workerFrom(from: StageName | undefined): StageName | undefined {
  if (from === undefined) return undefined;
  const firstVla = STAGES.indexOf('vla-ablation');
  return STAGES.indexOf(from) < firstVla ? 'vla-ablation' : from;
}

/**
 * ONNX Runtime intra-op threads for each of `workers` processes: the cores split evenly, at least one. By
 * default every session takes a thread per core, and two 2-thread processes on 2 cores ran each stage 1.77×
 * slower than alone (docs/benchmarks.md).
 */
export function threadsPerWorker(workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / workers));
}

/**
 * `--jobs` when not given: a worker per core, but no more workers than VLA stages (a worker without a stage
 * would only take cores from the others); 1 where there is one stage or one core.
 */
export function defaultJobs(vlaStages: number, cores = availableParallelism()): number {
  return Math.max(1, Math.min(cores, vlaStages));
}

/**
 * The command-line arguments of worker `index` of `count` (main.ts's own options); `claims` is the folder
 * in which the workers of one `--jobs` run claim their stages.
 */
export function vlaWorkerArgs(
  command: VlaWorkerCommand,
  index: number,
  count: number,
  claims: string,
): string[] {
  const from = workerFrom(command.from);
  return [
    '--preset',
    command.preset,
    '--out',
    command.out,
    ...(command.variants ? ['--variants', command.variants.join(',')] : []),
    '--device',
    command.device,
    ...(from ? ['--from', from] : []),
    '--vla-worker',
    `${index}/${count}`,
    '--vla-claims',
    claims,
  ];
}

/** Whether process `pid` is running (one owned by another user counts as running). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the claims folders (`<pid>-<time>`, one per `--jobs` run) in `claimsParent` whose run has ended
 * without removing its own, as a killed run does; returns their names. A running run's folder and names of
 * another form are kept. The folder may be absent. Processes are looked up on this machine, so two machines
 * must not run `--jobs` in one shared folder at once (`--shard` is for that).
 */
export async function removeStaleClaims(
  claimsParent: string,
  runs: (pid: number) => boolean = processRuns,
): Promise<string[]> {
  const entries = await readdir(claimsParent).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const stale = entries.filter((name) => {
    const match = /^(\d+)-\d+$/.exec(name);
    return match !== null && !runs(Number(match[1]));
  });
  await Promise.all(stale.map((name) => rm(join(claimsParent, name), { recursive: true, force: true })));
  return stale;
}

/**
 * Starts `count` workers of this same script (same Node flags, so under tsx as well), prefixes each line they
 * print with the worker's name, and waits for all of them. A worker that fails does not stop the others: the
 * stages they finish are kept, and the error names every failed worker.
 */
export async function runVlaWorkers(
  command: VlaWorkerCommand,
  count: number,
  log: (line: string) => void,
): Promise<void> {
  const script = process.argv[1];
  // A folder of this run's own, named `<pid>-<time>` as removeStaleClaims reads it: claims left by an
  // interrupted run must not hold stages back from this one.
  const claimsParent = join(command.out, 'stages', 'claims');
  const claims = join(claimsParent, `${process.pid}-${Date.now()}`);
  for (const name of await removeStaleClaims(claimsParent))
    log(`removed the claims of an ended run: ${join(claimsParent, name)}`);
  const exits = Array.from({ length: count }, (_, index) => {
    const name = `worker ${index}/${count}`;
    const child = spawn(
      process.execPath,
      [...process.execArgv, script, ...vlaWorkerArgs(command, index, count, claims)],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    for (const stream of [child.stdout, child.stderr])
      createInterface({ input: stream }).on('line', (line) => log(`[${name}] ${line}`));
    return new Promise<string | null>((done) => {
      child.on('error', (err) => done(`${name} could not start: ${err.message}`));
      // 'close', not 'exit': it comes after the worker's output has been read to the end.
      child.on('close', (code, signal) =>
        done(code === 0 ? null : `${name} ended with ${signal ?? `exit code ${code}`}`),
      );
    });
  });
  const failures = (await Promise.all(exits)).filter((f): f is string => f !== null);
  await rm(claims, { recursive: true, force: true });
  // The parent too, unless another run's claims are in it.
  await rmdir(claimsParent).catch(() => {});
  if (failures.length > 0)
    throw new Error(
      `${failures.join('; ')} (output above). The stages the workers finished are kept: the same command resumes.`,
    );
}
