/**
 * Thrown for what the benchmark cannot run: an unknown suite, task or option, a scene or layout that does
 * not fit, a policy that returns the wrong shape, a worker that failed. The message says what was expected,
 * what came, and where (the suite, task, trial, object or option).
 */
export class BenchError extends Error {
  override readonly name = 'BenchError';
}
