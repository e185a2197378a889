import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadFastTokenizer, saveFastTokenizer } from '@roboalign/fast-tokenizer';
import cliProgress from 'cli-progress';
import { DEFAULT_DEMO_OPTIONS, type DemoOptions, evaluateTokenizer, runFastDemo } from './demo.js';
import { formatReport } from './format.js';

const { values } = parseArgs({
  options: {
    episodes: { type: 'string' },
    seed: { type: 'string' },
    'vocab-size': { type: 'string' },
    scale: { type: 'string' },
    out: { type: 'string' },
    alphabet: { type: 'string' },
    help: { type: 'boolean' },
  },
});

if (values.help) {
  console.log(`Usage: pnpm start [-- --episodes N] [--seed S] [--vocab-size V] [--scale S] [--alphabet code-points|bytes] [--out DIR]
Generates smooth 7-D robot trajectories, fits a FAST tokenizer, and reports tokens per chunk and
reconstruction error on held-out episodes (vs naive per-value binning and, when ../shared has it, FAST+).`);
  process.exit(0);
}

function numberOption(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < min) {
    console.error(`--${name} must be a number >= ${min}, got ${raw}`);
    process.exit(2);
  }
  return n;
}

const options: DemoOptions = {
  ...DEFAULT_DEMO_OPTIONS,
  episodes: numberOption('episodes', values.episodes, DEFAULT_DEMO_OPTIONS.episodes, 2),
  seed: numberOption('seed', values.seed, DEFAULT_DEMO_OPTIONS.seed, 0),
  vocabSize: numberOption('vocab-size', values['vocab-size'], DEFAULT_DEMO_OPTIONS.vocabSize, 1),
  scale: numberOption('scale', values.scale, DEFAULT_DEMO_OPTIONS.scale, Number.MIN_VALUE),
};
if (values.alphabet !== undefined) {
  if (values.alphabet !== 'code-points' && values.alphabet !== 'bytes') {
    console.error(`--alphabet must be code-points or bytes, got ${values.alphabet}`);
    process.exit(2);
  }
  options.alphabet = values.alphabet;
}

const bar = new cliProgress.SingleBar(
  { format: '{stage} [{bar}] {value}/{total}', hideCursor: true, stream: process.stderr },
  cliProgress.Presets.shades_classic,
);
let stage = '';
options.onProgress = (next, done, total) => {
  if (next !== stage) {
    if (stage) bar.stop();
    bar.start(total, done, { stage: next === 'dct' ? 'quantizing' : 'BPE merges' });
    stage = next;
  } else bar.update(done);
};

const report = runFastDemo(options);
if (stage) bar.stop();

const reports = [report.fast];
const fastPlusDir = resolve(import.meta.dirname, '../../../../shared/fast-plus');
if (existsSync(fastPlusDir)) {
  const fastPlus = await loadFastTokenizer(fastPlusDir);
  reports.push(
    evaluateTokenizer('FAST+ (released)', fastPlus, report.heldOut, report.stats, options.horizon, 7),
  );
}
console.log(formatReport(report, reports));

const outDir = resolve(values.out ?? resolve(import.meta.dirname, '../out/tokenizer'));
await saveFastTokenizer(report.tokenizer, outDir);
console.log(`\nSaved the fitted tokenizer to ${outDir} (Hugging Face layout).`);
