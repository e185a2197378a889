import { parentPort, workerData } from 'node:worker_threads';
import { BenchError } from '../errors.js';
import { type JobBatch, runJobs } from './jobs.js';

/** Worker entry: runs the batch in `workerData` and posts each result, then `done` (or `error`). */
if (!parentPort) throw new BenchError('this module runs as a worker thread of evaluate()');
const port = parentPort;
runJobs(workerData as JobBatch, (result, video) => {
  // The video's bytes move to the main thread instead of being copied.
  const transfer = video ? [video.video.webp.buffer as ArrayBuffer] : [];
  port.postMessage({ type: 'result', result, video }, transfer);
}).then(
  () => port.postMessage({ type: 'done' }),
  (error: unknown) =>
    port.postMessage({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }),
);
