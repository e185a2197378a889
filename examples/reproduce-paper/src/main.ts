// The RoboAlign experiment in miniature: `npm start -- --preset quick --out results/quick`.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseShard } from '@roboalign/bench';
import { presetNamed } from './pipeline/presets.js';
import { runPipeline } from './pipeline/run.js';
import { STAGES, type StageName } from './pipeline/stage-runner.js';
import { VARIANTS, type Variant, withPrerequisites } from './pipeline/variants.js';
import { vlaStageCount } from './pipeline/vla-workers.js';
import { defaultJobs, runVlaWorkers, threadsPerWorker } from './vla-jobs.js';

const usage = `usage: pnpm --filter @roboalign/example-reproduce-paper start -- [--preset smoke|quick|paper] [--variants A,B…] [--out DIR] [--jobs N] [--shard I/N] [--from STAGE] [--device cpu|cuda]
  --preset   sizes of every stage (default quick; smoke checks the plumbing in minutes)
  --variants the language models to run instead of the preset's, comma-separated (${VARIANTS.join(', ')});
             base and, for a GRPO variant, roboalign-sft are added. align-highlevel or align-trajectory
             adds their targets' data and SFT rows, which changes every model after base
  --out      results folder (default results/<preset> inside the example)
  --jobs     run the VLA stages in N processes at once, the cores split between them, then the report
             (default: one per core, at most one per VLA stage; 1 with --shard)
  --shard    I/N: evaluate only shard I of N (0-based) of every VLA stage's episodes and chains, write it
             under OUT/vla-shards/ and stop; then run without --shard (same --out) to merge and report
  --from     force this stage and every later one (${STAGES.join(', ')}; vla = vla-base)
  --device   cuda asks ONNX Runtime for the CUDA execution provider and falls back to CPU with a notice`;

async function main(): Promise<void> {
  // pnpm passes a `--` separator through to the script; it is not an argument.
  const args = process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'));
  const { values } = parseArgs({
    args,
    options: {
      preset: { type: 'string', default: 'quick' },
      out: { type: 'string' },
      from: { type: 'string' },
      variants: { type: 'string' },
      shard: { type: 'string' },
      jobs: { type: 'string' },
      // One of --jobs' worker processes (I/N): runs the VLA stages it claims in the folder --vla-claims
      // and stops before the report.
      'vla-worker': { type: 'string' },
      'vla-claims': { type: 'string' },
      device: { type: 'string', default: 'cpu' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    return;
  }
  const preset = presetNamed(values.preset!);
  // `--from vla` means the first benchmark stage.
  if (values.from === 'vla') values.from = 'vla-base';
  if (values.from !== undefined && !STAGES.includes(values.from as StageName))
    throw new Error(`unknown stage ${JSON.stringify(values.from)}\n${usage}`);
  if (values.device !== 'cpu' && values.device !== 'cuda')
    throw new Error(`--device must be cpu or cuda\n${usage}`);
  const variants = values.variants?.split(',').map((v) => v.trim());
  const unknown = variants?.filter((v) => !VARIANTS.includes(v as Variant));
  if (unknown?.length)
    throw new Error(`unknown variant ${unknown.map((v) => JSON.stringify(v)).join(', ')}\n${usage}`);
  const sharded = values.shard !== undefined || values['vla-worker'] !== undefined;
  const vlaStages = vlaStageCount(
    preset.vla,
    withPrerequisites((variants as Variant[] | undefined) ?? preset.variants),
  );
  const jobs = values.jobs === undefined ? (sharded ? 1 : defaultJobs(vlaStages)) : Number(values.jobs);
  if (!(Number.isInteger(jobs) && jobs >= 1))
    throw new Error(`--jobs must be a positive integer, got ${JSON.stringify(values.jobs)}\n${usage}`);
  if (jobs > 1 && sharded)
    throw new Error(`--jobs starts its own workers; it does not combine with --shard\n${usage}`);
  const out = resolve(values.out ?? join(import.meta.dirname, '..', 'results', preset.name));
  const worker = values['vla-worker'] === undefined ? undefined : parseShard(values['vla-worker']);
  const claims = values['vla-claims'];
  if ((worker === undefined) !== (claims === undefined))
    throw new Error('--vla-worker and --vla-claims come together: they are how --jobs starts its workers');
  if (worker === undefined) console.log(`RoboAlign in miniature, preset ${preset.name}, results in ${out}`);
  const from = values.from as StageName | undefined;
  const run = {
    preset,
    out,
    ...(variants ? { variants: variants as Variant[] } : {}),
    device: values.device as 'cpu' | 'cuda',
    log: (line: string) => console.log(line),
  };
  if (jobs > 1) {
    // Every stage before the VLA stages once, the VLA stages in the workers, then the report (forced when
    // --from forced the stages it reads, whose hashes do not change when they rerun).
    await runPipeline({ ...run, from, vlaStages: 'none' });
    await runVlaWorkers({ ...run, preset: preset.name, from }, jobs, run.log);
    await runPipeline({ ...run, from: from === undefined ? undefined : 'report' });
  } else {
    await runPipeline({
      ...run,
      ...(values.shard !== undefined ? { shard: parseShard(values.shard) } : {}),
      ...(worker && claims ? { vlaStages: { claims }, intraOpThreads: threadsPerWorker(worker.count) } : {}),
      from,
    });
  }
  if (values.shard === undefined && worker === undefined)
    console.log(`\n${await readFile(join(out, 'results.md'), 'utf8')}`);
}

main().catch((err: unknown) => {
  // The whole chain: a stage error's message, then its cause's stack (where the failure happened).
  for (let e: unknown = err; e !== undefined; e = e instanceof Error ? e.cause : undefined)
    console.error(
      e === err
        ? e instanceof Error
          ? (e.stack ?? e.message)
          : e
        : `caused by: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
    );
  process.exit(1);
});
