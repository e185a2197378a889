// Rewrites a results folder's report from its own results.json, with this version's statistics and tables,
// without rerunning any stage: `tsx src/rerender-report.ts results/quick`. The manifest keeps the run's
// provenance and gains `reportRenderedWith` (this code's fingerprint).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { codeFingerprint } from './pipeline/code-fingerprint.js';
import { lmComparisons, pairedComparisons } from './pipeline/comparisons.js';
import { type Results, readGrpoLogs, relativeImprovements, writeReport } from './pipeline/report.js';
import { POLICY_SEED } from './pipeline/run.js';

const out = resolve(process.argv[2] ?? '');
const path = join(out, 'results.json');
if (!existsSync(path)) throw new Error(`usage: tsx src/rerender-report.ts RESULTS_DIR (no ${path})`);
const results = JSON.parse(await readFile(path, 'utf8')) as Results;
// The manifest records the preset the run had; its trials per task group episodes into tasks.
const preset = results.manifest.preset as { vla?: { trials?: number } } | undefined;
results.comparisons = pairedComparisons(results.variants, POLICY_SEED, preset?.vla?.trials ?? 1);
results.relative = relativeImprovements(results.comparisons);
results.lmComparisons = lmComparisons(results.variants, POLICY_SEED);
results.vla ??= { ablation: null };
results.manifest = { ...results.manifest, reportRenderedWith: codeFingerprint() };
await writeReport(out, results, await readGrpoLogs(out));
console.log(`rewrote ${out}/results.json, results.md and plots/`);
