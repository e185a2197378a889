/**
 * What filming rollouts costs an evaluation. Prints JSON lines (a benchmark, not a test):
 * 1. `evaluate('random', 'libero-object', { trials: 2, workers: 1 })` with videos none, sample and all, median
 *    of 5 interleaved rounds (20 episodes of 280 steps at 64×64); compare `none` with the same run before the change.
 * 2. The two capture designs in one thread on the same episodes: keeping the frames the policy already
 *    rendered (what the harness does) against rendering both cameras at every control step.
 * 3. Encoding one kept rollout as animated WebP.
 * Run: pnpm exec tsx bench/video-capture.bench.ts
 */
import { cpus } from 'node:os';
import { randomPolicy } from '@roboalign/serve';
import { evaluate } from '../src/harness/evaluate.js';
import { RolloutFrames } from '../src/harness/rollout-frames.js';
import { initialLayout } from '../src/harness/run.js';
import type { VideoMode } from '../src/harness/video-selection.js';
import { encodeAnimatedWebp } from '../src/report/rollout-video.js';
import { LIBERO_STYLE_SUITES } from '../src/suites/libero-style.js';
import { TaskEnvPool } from '../src/suites/task-env.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const machine = `${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}`;

// Modes interleaved round by round, so drift in the machine's load hits each alike; CPU time (all threads
// of this process) is reported beside wall time because other processes share the cores.
const MODES: VideoMode[] = ['none', 'sample', 'all'];
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const wall = new Map<VideoMode, number[]>(MODES.map((m) => [m, []]));
const cpu = new Map<VideoMode, number[]>(MODES.map((m) => [m, []]));
const kept = new Map<VideoMode, number>();
for (let round = 0; round < ROUNDS; round++) {
  for (const videos of MODES) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const report = await evaluate('random', 'libero-object', {
      trials: 2,
      workers: 1,
      videos,
      progress: false,
    });
    const used = process.cpuUsage(cpuStart);
    wall.get(videos)?.push(performance.now() - start);
    cpu.get(videos)?.push((used.user + used.system) / 1000);
    kept.set(videos, report.videos?.length ?? 0);
  }
}
for (const videos of MODES) {
  console.log(
    JSON.stringify({
      bench: 'evaluate-videos',
      videos,
      episodes: 20,
      keptVideos: kept.get(videos),
      medianWallMs: Math.round(median(wall.get(videos) ?? [])),
      medianCpuMs: Math.round(median(cpu.get(videos) ?? [])),
      wallMs: (wall.get(videos) ?? []).map(Math.round),
      cpuMs: (cpu.get(videos) ?? []).map(Math.round),
      machine,
    }),
  );
}

// The two designs, in this thread: the policy queries every 5 steps as in evaluate.
const suite = LIBERO_STYLE_SUITES[1];
const envs = new TaskEnvPool({ imageSize: 64 });
type Design = 'no-capture' | 'policy-frames' | 'every-step';
async function episodes(design: Design): Promise<{ ms: number; frames: number }> {
  const frames = new RolloutFrames();
  let total = 0;
  const start = process.cpuUsage();
  for (let trial = 0; trial < 6; trial++) {
    const task = suite.tasks[trial % suite.tasks.length];
    const env = await envs.get(task.scene);
    env.reset(task, initialLayout(suite, trial % suite.tasks.length, trial));
    const policy = randomPolicy(trial);
    frames.clear();
    for (let step = 0; step < task.maxSteps; ) {
      const observation = env.observation();
      if (design === 'policy-frames') frames.push(observation);
      const chunk = await policy.act(observation);
      for (let i = 0; i < 5 && step < task.maxSteps; i++, step++) {
        env.advance(Array.from(chunk.actions.subarray(i * 7, (i + 1) * 7)));
        if (design === 'every-step') frames.push(env.observation());
      }
    }
    total += frames.length;
  }
  const used = process.cpuUsage(start);
  return { ms: (used.user + used.system) / 1000, frames: total };
}
for (const design of ['no-capture', 'policy-frames', 'every-step'] as Design[]) {
  await episodes(design);
  const runs: number[] = [];
  let frames = 0;
  for (let r = 0; r < 3; r++) {
    const result = await episodes(design);
    runs.push(result.ms);
    frames = result.frames;
  }
  console.log(
    JSON.stringify({
      bench: 'capture-design',
      design,
      episodes: 6,
      framesKept: frames,
      medianCpuMs: Math.round(median(runs)),
      machine,
    }),
  );
}

// Encoding one rollout of 57 frames (280 steps / 5 + the final state), agent | wrist at 64×64.
const rollout = new RolloutFrames();
const env = await envs.get(suite.tasks[0].scene);
env.reset(suite.tasks[0], initialLayout(suite, 0, 0));
for (let step = 0; step < 280; step++) {
  if (step % 5 === 0) rollout.push(env.observation());
  env.advance([0.3, 0.1, -0.2, 0, 0, 0, step > 100 ? 1 : -1]);
}
rollout.push(env.observation());
const raster = rollout.sideBySide();
const encodeRuns: number[] = [];
let bytes = 0;
for (let r = 0; r < 5; r++) {
  const start = performance.now();
  bytes = (await encodeAnimatedWebp(raster, { delayMs: 125 })).length;
  encodeRuns.push(performance.now() - start);
}
console.log(
  JSON.stringify({
    bench: 'encode-webp',
    frames: raster.frames,
    width: raster.width,
    height: raster.height,
    bytes,
    medianMs: Math.round(median(encodeRuns)),
    machine,
  }),
);
await envs.dispose();
