#!/usr/bin/env node
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { serveUntilStopped } from '@roboalign/serve';
import { writeFileAtomic } from '@roboalign/utils';
import { encode } from 'fast-png';
import { BenchError } from './errors.js';
import { evaluate, evaluateShard } from './harness/evaluate.js';
import { mergeShards, readShards, writeShard } from './harness/merge.js';
import { EXPERT, loadPolicy } from './harness/policies.js';
import { recordExpertDataset } from './harness/record.js';
import { initialLayout } from './harness/run.js';
import { formatShard, parseShard } from './harness/shard.js';
import { getSuite, SUITES } from './harness/suites.js';
import { parseVideoMode, VIDEO_MODES } from './harness/video-selection.js';
import { chainsMarkdown, episodesMarkdown } from './report/markdown.js';
import { plotChainCurve, plotSuiteSuccess } from './report/plot.js';
import { reportPage } from './report/report-page.js';
import { type BenchmarkReport, toJson } from './report/results.js';
import { TaskEnv } from './suites/task-env.js';

const USAGE = `roboalign-bench <command> [options]

Commands:
  list [--json]                          the suites and their tasks
  evaluate --suite S --policy P          run a policy; print the table; write index.html (report page with
                                         rollout videos), report.json, table.md, plot.png
      [--trials N] [--chains N] [--tasks 0,3] [--seed S] [--workers N]
      [--image-size 64] [--replan 5] [--videos ${VIDEO_MODES.join('|')}] [--out DIR] [--json]
      [--shard I/N]
      --videos: sample (default: per task one success and one failure; chains: longest and shortest),
                failures, all, or none
      --shard:  run shard I of N (0-based: 0/4 … 3/4) of the episodes (round robin over task, trial)
                or chains, and write DIR/shard-I-of-N.json for merge; needs --out
  merge DIR… [--out DIR] [--json]        combine the shard outputs of one evaluate run (every shard once,
                                         same settings) into index.html, report.json, table.md, plot.png,
                                         as one unsharded run writes them
  record --suite S --out DIR             record scripted-expert demonstrations as a LeRobot v2.1 dataset
      [--episodes N] [--image-size 64] [--frames png|mp4] [--overwrite]
      --frames: png (default, lossless, in the parquet files) or mp4 (H.264 videos under videos/, as
                LeRobot; needs the optional @napi-rs/webcodecs, whose libx264 is GPL-2.0-or-later)
  serve --policy P [--port 8000] [--host 127.0.0.1] [--image-size 224]
                                         serve a policy over the openpi WebSocket protocol
  render --suite S [--task K] [--trial N] [--image-size 224] --out FILE.png
                                         save the agent view and wrist view of a task's start

Suites: ${SUITES.map((s) => s.name).join(', ')}
Policies: random | expert | ws://host:port | path/to/policy-module.js`;

function integer(name: string, value: string | undefined, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new BenchError(`--${name} must be an integer, got "${value}"`);
  return n;
}

function need(name: string, value: string | undefined): string {
  if (!value) throw new BenchError(`--${name} is required`);
  return value;
}

async function list(json: boolean): Promise<void> {
  const rows = SUITES.map((s) =>
    s.kind === 'episodes'
      ? {
          name: s.name,
          kind: s.kind,
          description: s.description,
          trialsPerTask: s.trialsPerTask,
          tasks: s.tasks.map((t) => ({ name: t.name, instruction: t.instruction, maxSteps: t.maxSteps })),
        }
      : {
          name: s.name,
          kind: s.kind,
          description: s.description,
          chainLength: s.chainLength,
          defaultChains: s.defaultChains,
          tasks: s.pool.map((t) => ({ name: t.name, instruction: t.instruction, category: t.category })),
        },
  );
  if (json) {
    console.log(JSON.stringify(rows));
    return;
  }
  for (const r of rows) {
    console.log(`${r.name} (${r.kind}): ${r.description}`);
    r.tasks.forEach((t, i) => {
      console.log(`  ${String(i).padStart(2)}  ${t.instruction}`);
    });
  }
}

async function runEvaluate(values: Record<string, string | boolean | undefined>): Promise<void> {
  const suite = getSuite(need('suite', values.suite as string));
  const policy = need('policy', values.policy as string);
  const json = Boolean(values.json);
  const tasks = values.tasks
    ? String(values.tasks)
        .split(',')
        .map((t) => integer('tasks', t.trim()) as number)
    : undefined;
  const options = {
    trials: integer('trials', values.trials as string),
    chains: integer('chains', values.chains as string),
    tasks,
    seed: integer('seed', values.seed as string),
    workers: integer('workers', values.workers as string),
    imageSize: integer('image-size', values['image-size'] as string),
    replanSteps: integer('replan', values.replan as string),
    videos: parseVideoMode((values.videos as string | undefined) ?? 'sample'),
  };
  if (values.shard !== undefined) {
    const shard = parseShard(String(values.shard), '--shard');
    const outDir = values.out as string | undefined;
    if (!outDir)
      throw new BenchError(
        '--shard needs --out DIR: every shard of a run writes its part there (one shared folder or one each) for merge',
      );
    const output = await evaluateShard(policy, suite, shard, options);
    const file = await writeShard(outDir, output);
    const unit = output.config.kind === 'chains' ? 'chains' : 'episodes';
    if (json) {
      const { videos: _videos, ...rest } = output;
      console.error(`wrote ${file}`);
      console.log(JSON.stringify({ ...rest, file }));
    } else {
      console.log(
        `shard ${formatShard(shard)} of ${suite.name}: ${output.results.length} of ${output.planned} ${unit}; wrote ${file}`,
      );
      console.log(
        `when all ${shard.count} shards are done: roboalign-bench merge <their --out folders> --out DIR`,
      );
    }
    return;
  }
  const report = await evaluate(policy, suite, options);
  await writeReport(
    report,
    resolve(
      (values.out as string | undefined) ??
        join('bench-results', `${suite.name}-${report.meta.startedAt.replaceAll(':', '-')}`),
    ),
    json,
  );
}

async function runMerge(paths: readonly string[], values: Record<string, string | boolean | undefined>) {
  if (paths.length === 0)
    throw new BenchError(
      'merge needs the folders that hold the shard outputs: roboalign-bench merge DIR… [--out DIR]',
    );
  const report = mergeShards(await readShards(paths));
  const suite = report.meta.run?.suite ?? 'merged';
  await writeReport(
    report,
    resolve(
      (values.out as string | undefined) ??
        join('bench-results', `${suite}-${report.meta.startedAt.replaceAll(':', '-')}`),
    ),
    Boolean(values.json),
  );
}

/** Writes index.html, report.json, table.md and plot.png into `out` and prints the table (or, with json, the report). */
async function writeReport(report: BenchmarkReport, out: string, json: boolean): Promise<void> {
  const table = report.kind === 'chains' ? chainsMarkdown(report.chains) : episodesMarkdown(report.suites);
  const png = await (report.kind === 'chains'
    ? plotChainCurve(report.chains)
    : plotSuiteSuccess(report.suites));
  const page = await reportPage(report);
  await mkdir(out, { recursive: true });
  await writeFileAtomic(join(out, 'report.json'), toJson(report));
  await writeFileAtomic(join(out, 'table.md'), table);
  await writeFileAtomic(join(out, 'plot.png'), png);
  await writeFileAtomic(join(out, 'index.html'), page);
  const wrote = `wrote ${out}/index.html, report.json, table.md, plot.png`;
  if (json) {
    const summary =
      report.kind === 'chains'
        ? { ...report, successRate: report.successRate, avgLen: report.avgLen }
        : report;
    console.error(wrote);
    const { videos: _videos, ...withoutVideos } = summary;
    console.log(JSON.stringify(withoutVideos));
  } else {
    console.log(table);
    console.log(
      report.kind === 'chains'
        ? `average length ${report.avgLen.toFixed(2)}`
        : `success rate ${(100 * report.successRate).toFixed(1)}%`,
    );
    console.log(wrote);
  }
}

function frameStorage(value: string | undefined): 'png' | 'mp4' {
  if (value === undefined || value === 'png' || value === 'mp4') return value ?? 'png';
  throw new BenchError(`--frames must be png or mp4, got "${value}"`);
}

async function runRecord(values: Record<string, string | boolean | undefined>): Promise<void> {
  const out = need('out', values.out as string);
  const result = await recordExpertDataset(need('suite', values.suite as string), out, {
    episodes: integer('episodes', values.episodes as string),
    imageSize: integer('image-size', values['image-size'] as string),
    overwrite: Boolean(values.overwrite),
    frames: frameStorage(values.frames as string | undefined),
  });
  console.log(
    `wrote ${result.info.total_episodes} episodes (${result.info.total_frames} frames, ${result.tasks.length} tasks; ${result.attempted} attempted) to ${result.root}`,
  );
}

async function runServe(values: Record<string, string | boolean | undefined>): Promise<void> {
  const spec = need('policy', values.policy as string);
  const policy = await loadPolicy(spec, { seed: integer('seed', values.seed as string, 0) });
  if (policy === EXPERT)
    throw new BenchError(
      'serve --policy expert: the expert reads the simulator state and cannot be served; serve random, a ws:// policy or a module',
    );
  await serveUntilStopped(policy, {
    spec,
    host: values.host as string | undefined,
    port: integer('port', values.port as string, 8000),
    imageSize: integer('image-size', values['image-size'] as string),
  });
}

async function runRender(values: Record<string, string | boolean | undefined>): Promise<void> {
  const suite = getSuite(need('suite', values.suite as string));
  const out = need('out', values.out as string);
  const size = integer('image-size', values['image-size'] as string, 224) as number;
  const taskIndex = integer('task', values.task as string, 0) as number;
  const trial = integer('trial', values.trial as string, 0) as number;
  if (suite.kind === 'chains')
    throw new BenchError('render shows episode-suite tasks; choose a libero-* suite');
  const task = suite.tasks[taskIndex];
  if (!task)
    throw new BenchError(`--task ${taskIndex} is not in ${suite.name} (0..${suite.tasks.length - 1})`);
  const env = await TaskEnv.create(task.scene, { imageSize: size });
  const { observation } = env.reset(task, initialLayout(suite, taskIndex, trial));
  env.dispose();
  // Agent view and wrist view side by side.
  const data = new Uint8Array(size * size * 2 * 3);
  for (let row = 0; row < size; row++) {
    data.set(observation.image.data.subarray(row * size * 3, (row + 1) * size * 3), row * size * 6);
    data.set(
      observation.wristImage.data.subarray(row * size * 3, (row + 1) * size * 3),
      row * size * 6 + size * 3,
    );
  }
  await writeFileAtomic(resolve(out), encode({ width: 2 * size, height: size, data, channels: 3, depth: 8 }));
  console.log(`${task.instruction}: wrote ${resolve(out)}`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      suite: { type: 'string' },
      policy: { type: 'string' },
      trials: { type: 'string' },
      chains: { type: 'string' },
      tasks: { type: 'string' },
      task: { type: 'string' },
      trial: { type: 'string' },
      seed: { type: 'string' },
      workers: { type: 'string' },
      'image-size': { type: 'string' },
      replan: { type: 'string' },
      videos: { type: 'string' },
      frames: { type: 'string' },
      out: { type: 'string' },
      episodes: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      shard: { type: 'string' },
      json: { type: 'boolean' },
      overwrite: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!command || values.help || ['help', '--help', '-h'].includes(command)) {
    console.log(USAGE);
    return;
  }
  if (command !== 'merge' && positionals.length > 0)
    throw new BenchError(`${command} takes no positional argument, got "${positionals[0]}"`);
  switch (command) {
    case 'merge':
      return runMerge(positionals, values);
    case 'list':
      return list(Boolean(values.json));
    case 'evaluate':
      return runEvaluate(values);
    case 'record':
      return runRecord(values);
    case 'serve':
      return runServe(values);
    case 'render':
      return runRender(values);
    default:
      throw new BenchError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`roboalign-bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
