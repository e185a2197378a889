import { parentPort } from 'node:worker_threads';
import { EnvCache } from './environments.js';
import { createProducer, type JobSpec, type Producer } from './producers.js';

/** A request from the pool: run unit `unit` of `job`. */
export interface UnitRequest {
  readonly runId: number;
  readonly job: JobSpec;
  readonly unit: number;
}

/** The answer: the unit's result, or why it failed. */
export type UnitReply =
  | { readonly type: 'result'; readonly runId: number; readonly unit: number; readonly result: unknown }
  | { readonly type: 'error'; readonly runId: number; readonly unit: number; readonly message: string };

// One set of compiled scenes and one producer per job for the worker's lifetime.
const envs = new EnvCache();
const producers = new Map<string, Producer>();

parentPort?.on('message', async (request: UnitRequest) => {
  const { runId, job, unit } = request;
  try {
    const key = JSON.stringify(job);
    let producer = producers.get(key);
    if (!producer) {
      producer = createProducer(job, envs);
      producers.set(key, producer);
    }
    const result = await producer.produce(unit);
    parentPort?.postMessage({ type: 'result', runId, unit, result } satisfies UnitReply);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    parentPort?.postMessage({ type: 'error', runId, unit, message } satisfies UnitReply);
  }
});
