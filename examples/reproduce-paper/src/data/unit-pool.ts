import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { EnvCache } from './environments.js';
import { createProducer, type JobSpec, type Producer } from './producers.js';
import type { UnitReply, UnitRequest } from './worker.js';

/** When a run stops: units are taken in order until their results measure `target` in total. */
export interface RunPlan<T> {
  readonly target: number;
  /** How much a unit's result counts towards the target (e.g. its number of rows). */
  readonly measure: (result: T) => number;
  /** Units tried before giving up (default 20 × target + 100). */
  readonly maxUnits?: number;
  /** Called with the measured total of the finished units 0…k−1 each time it grows. */
  readonly onProgress?: (measured: number) => void;
}

/** Starts a worker on worker.js, or, when running from source (tsx, vitest), on worker.ts through tsx. */
function startWorker(): Worker {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./worker.js', import.meta.url));
  const tsxRoot = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
  const tsx = join(tsxRoot, 'dist/esm/api/index.mjs');
  const entry = new URL('./worker.ts', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(bootstrap, { eval: true });
}

/** What a worker's messages go to during a run. */
interface Listener {
  reply(worker: Worker, message: UnitReply): void;
  fail(error: Error): void;
}

/**
 * Worker threads that run generator units (scenes, episodes), reused across sources so each thread compiles
 * its scenes once. Units are handed out one at a time to whichever thread is free; results are put back in
 * unit order, and a run takes units 0, 1, 2, … until they hold enough, so the output is the same whatever the
 * number of threads. With 0 threads the units run in this thread.
 */
export class UnitPool {
  private readonly workers: Worker[] = [];
  private readonly envs = new EnvCache();
  private readonly local = new Map<string, Producer>();
  private listener?: Listener;
  private runs = 0;

  constructor(
    /** Worker threads (0: this thread). */
    readonly size: number,
  ) {
    if (!Number.isInteger(size) || size < 0)
      throw new RangeError(`UnitPool: size must be an integer >= 0, got ${size}`);
  }

  private ensureWorkers(): void {
    while (this.workers.length < this.size) {
      const worker = startWorker();
      worker.on('message', (message: UnitReply) => this.listener?.reply(worker, message));
      worker.on('error', (error) => this.listener?.fail(error));
      worker.on('exit', (code) => this.listener?.fail(new Error(`data worker exited with code ${code}`)));
      this.workers.push(worker);
    }
  }

  /** Runs units of `job` in order until their results measure `plan.target`; returns those results in order. */
  async run<T>(job: JobSpec, plan: RunPlan<T>): Promise<T[]> {
    if (this.listener) throw new Error('UnitPool.run: one run at a time');
    const maxUnits = plan.maxUnits ?? 20 * plan.target + 100;
    if (plan.target <= 0) return [];
    return this.size === 0 ? this.runHere(job, plan, maxUnits) : this.runInWorkers(job, plan, maxUnits);
  }

  private async runHere<T>(job: JobSpec, plan: RunPlan<T>, maxUnits: number): Promise<T[]> {
    const key = JSON.stringify(job);
    let producer = this.local.get(key);
    if (!producer) {
      producer = createProducer(job, this.envs);
      this.local.set(key, producer);
    }
    const results: T[] = [];
    let measured = 0;
    for (let unit = 0; measured < plan.target; unit++) {
      if (unit >= maxUnits) throw shortfall(job, measured, plan.target, unit);
      const result = (await producer.produce(unit)) as T;
      results.push(result);
      measured += plan.measure(result);
      plan.onProgress?.(measured);
    }
    return results;
  }

  private runInWorkers<T>(job: JobSpec, plan: RunPlan<T>, maxUnits: number): Promise<T[]> {
    this.ensureWorkers();
    const runId = ++this.runs;
    const finished = new Map<number, T>();
    const busy = new Set<Worker>();
    let next = 0;
    let prefix = 0;
    let measured = 0;
    return new Promise<T[]>((resolve, reject) => {
      const settle = (error?: Error) => {
        this.listener = undefined;
        if (error) reject(error);
        else resolve(Array.from({ length: prefix }, (_, unit) => finished.get(unit) as T));
      };
      const dispatch = () => {
        const enough = measured >= plan.target;
        for (const worker of this.workers) {
          if (enough || next >= maxUnits) break;
          if (busy.has(worker)) continue;
          busy.add(worker);
          worker.postMessage({ runId, job, unit: next++ } satisfies UnitRequest);
        }
        if (busy.size > 0) return;
        if (enough) settle();
        else settle(shortfall(job, measured, plan.target, next));
      };
      this.listener = {
        reply: (worker, message) => {
          if (message.runId !== runId) return;
          busy.delete(worker);
          if (message.type === 'error') {
            settle(new Error(`${job.name}: unit ${message.unit} failed in a worker: ${message.message}`));
            return;
          }
          finished.set(message.unit, message.result as T);
          const before = measured;
          while (measured < plan.target && finished.has(prefix))
            measured += plan.measure(finished.get(prefix++)!);
          if (measured > before) plan.onProgress?.(measured);
          dispatch();
        },
        fail: (error) => settle(error),
      };
      dispatch();
    });
  }

  /** Stops the threads and frees this thread's scenes. */
  async close(): Promise<void> {
    this.listener = undefined;
    await Promise.all(this.workers.splice(0).map((w) => w.terminate()));
    await this.envs.dispose();
    this.local.clear();
  }
}

function shortfall(job: JobSpec, measured: number, target: number, units: number): Error {
  return new Error(
    `${job.name}: only ${measured} of ${target} rows after ${units} units; the generator keeps too little`,
  );
}
