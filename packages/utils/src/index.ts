export { type AtomicWriteOptions, writeFileAtomic, writeJsonAtomic } from './io/atomic-write.js';
export { appendJsonl } from './io/jsonl.js';
export { seedFromName, seedFromParts } from './name-seed.js';
export { type ProgressBar, type ProgressBarOptions, type ProgressPayload, progressBar } from './progress.js';
export { mulberry32, type Rng } from './random.js';
