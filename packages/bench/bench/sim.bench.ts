/**
 * Simulator figures: physics steps per second, milliseconds per rendered frame at 64×64 and 224×224 (MuJoCo's
 * batched mj_multiRay against one mj_ray call per pixel, the alternative), expert episodes per second, and
 * evaluation throughput with 1 and 2 worker threads.
 * Run: pnpm exec tsx bench/sim.bench.ts
 */
import { cpus } from 'node:os';
import { evaluate } from '../src/harness/evaluate.js';
import { initialLayout } from '../src/harness/run.js';
import { RayCastCamera } from '../src/sim/ray-cast-camera.js';
import { LIBERO_STYLE_SUITES } from '../src/suites/libero-style.js';
import { TaskEnv } from '../src/suites/task-env.js';

const goal = LIBERO_STYLE_SUITES[2];
const task = goal.tasks[0];
const layout = initialLayout(goal, 0, 0);

function time(fn: () => void, repeats: number): number {
  fn();
  const start = performance.now();
  for (let i = 0; i < repeats; i++) fn();
  return (performance.now() - start) / repeats;
}

console.log(`machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, Node ${process.version}`);
console.log(`scene: ${goal.name} (2 blocks, plate, tray, button and lamp, cabinet with drawer)\n`);

const env = await TaskEnv.create(task.scene, { render: false });
env.reset(task, layout);
const { mj, model, data } = env.env.physics;
const physicsMs = time(() => mj.mj_step(model, data), 5000);
const controlMs = time(() => env.step([0, 0, 0, 0, 0, 0, -1]), 200);
console.log('| physics | value |');
console.log('|---|---:|');
console.log(
  `| mj_step (2 ms) | ${(1000 / physicsMs).toFixed(0)} steps/s (${(physicsMs * 1000).toFixed(0)} µs) |`,
);
console.log(
  `| control step (25 substeps, 50 ms simulated) | ${controlMs.toFixed(2)} ms (${(50 / controlMs).toFixed(0)}× real time) |`,
);

console.log('\n| camera | mj_multiRay | mj_ray per pixel | ratio |');
console.log('|---|---:|---:|---:|');
for (const size of [64, 224]) {
  const camera = new RayCastCamera(env.env.physics, 'agentview', size, size);
  const batched = time(() => camera.render(), size === 64 ? 200 : 40);
  // The alternative: the same rays, one mj_ray call each (the binding copies its arguments per call).
  const out = new mj.IntBuffer(1);
  const groups = [1, 1, 1, 1, 1, 1];
  const origin = Array.from((data.cam_xpos as Float64Array).subarray(0, 3));
  const perPixel = time(
    () => {
      for (let p = 0; p < size * size; p++)
        mj.mj_ray(model, data, origin, [0.1, 0.6, -0.5], groups, 1, -1, out);
    },
    size === 64 ? 5 : 1,
  );
  console.log(
    `| agentview ${size}×${size} | ${batched.toFixed(2)} ms | ${perPixel.toFixed(1)} ms | ${(perPixel / batched).toFixed(1)}× |`,
  );
  camera.dispose();
}
env.dispose();

console.log('\n| expert episodes (libero-goal, 10 tasks × 5 trials, one thread) | episodes/s | ms/episode |');
console.log('|---|---:|---:|');
for (const imageSize of [0, 64, 224]) {
  const envR = await TaskEnv.create(task.scene, imageSize === 0 ? { render: false } : { imageSize });
  let episodes = 0;
  const start = performance.now();
  for (const [i, t] of goal.tasks.entries()) {
    for (let trial = 0; trial < 5; trial++) {
      envR.reset(t, initialLayout(goal, i, trial));
      let r: ReturnType<TaskEnv['step']>;
      do r = envR.step(envR.expertAction());
      while (!r.terminated && !r.truncated);
      episodes++;
    }
  }
  const ms = (performance.now() - start) / episodes;
  console.log(
    `| ${imageSize === 0 ? 'no rendering' : `two cameras at ${imageSize}×${imageSize}`} | ${(1000 / ms).toFixed(1)} | ${ms.toFixed(0)} |`,
  );
  envR.dispose();
}

console.log('\n| evaluate(random, libero-object, 10 tasks × 2 trials, 64×64) | seconds | episodes/s |');
console.log('|---|---:|---:|');
let single = 0;
for (const workers of [1, 2]) {
  const start = performance.now();
  const report = await evaluate('random', 'libero-object', { trials: 2, workers, progress: false });
  const seconds = (performance.now() - start) / 1000;
  if (workers === 1) single = seconds;
  const n = report.kind === 'episodes' ? report.episodes.length : 0;
  console.log(
    `| ${workers} worker${workers > 1 ? 's' : ''} | ${seconds.toFixed(1)} | ${(n / seconds).toFixed(2)}${workers > 1 ? ` (${(single / seconds).toFixed(2)}× one worker)` : ''} |`,
  );
}
