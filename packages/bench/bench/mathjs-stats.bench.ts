/**
 * Would mathjs serve bench's statistics? The candidates are what the report computes: Wilson 95% intervals
 * per task and suite, and mean / standard deviation of episode lengths. Compares the hand code
 * (`wilsonInterval`, a loop) with mathjs doing the same, for speed, agreement and the cost of loading it.
 * Prints JSON lines; a benchmark, not a test. Run: pnpm exec tsx bench/mathjs-stats.bench.ts
 */
import { cpus } from 'node:os';
import { wilsonInterval, Z_95 } from '../src/report/stats.js';

const machine = `${cpus()[0]?.model ?? 'unknown'}, Node ${process.version}`;
const loadStart = performance.now();
const math = await import('mathjs');
const loadMs = performance.now() - loadStart;
console.log(JSON.stringify({ bench: 'mathjs-import', ms: Math.round(loadMs), machine }));

/** Wilson's interval written with mathjs functions, as one would with the library. */
function mathjsWilson(successes: number, trials: number): { low: number; high: number } {
  const p = math.divide(successes, trials) as number;
  const z2 = math.square(Z_95);
  const denominator = math.add(1, math.divide(z2, trials)) as number;
  const centre = math.divide(math.add(p, math.divide(z2, 2 * trials)), denominator) as number;
  const half = math.divide(
    math.multiply(
      Z_95,
      math.sqrt(math.add(math.divide(p * (1 - p), trials), math.divide(z2, 4 * trials * trials)) as number),
    ),
    denominator,
  ) as number;
  return { low: math.max(0, centre - half), high: math.min(1, centre + half) };
}
/** The same formula compiled once by mathjs' expression parser. */
const compiled = math.compile(
  '(p + z^2 / (2 * n) + [-1, 1] * z * sqrt(p * (1 - p) / n + z^2 / (4 * n^2))) / (1 + z^2 / n)',
);

function time(fn: () => void, repeats: number): number {
  fn();
  const rounds: number[] = [];
  for (let r = 0; r < 5; r++) {
    const start = performance.now();
    for (let i = 0; i < repeats; i++) fn();
    rounds.push(((performance.now() - start) * 1e6) / repeats);
  }
  return rounds.sort((a, b) => a - b)[2];
}

// 40 tasks × 50 trials: every count a LIBERO-style run can produce.
const counts = Array.from({ length: 51 }, (_, s) => [s, 50] as const);
let maxDiff = 0;
for (const [s, n] of counts) {
  const a = wilsonInterval(s, n);
  const b = mathjsWilson(s, n);
  const c = compiled.evaluate({ p: s / n, z: Z_95, n }) as { toArray(): number[] };
  const [lo, hi] = c.toArray();
  maxDiff = Math.max(maxDiff, Math.abs(a.low - b.low), Math.abs(a.high - b.high));
  maxDiff = Math.max(maxDiff, Math.abs(a.low - Math.max(0, lo)), Math.abs(a.high - Math.min(1, hi)));
}
const each = (f: (s: number, n: number) => unknown) => () => {
  for (const [s, n] of counts) f(s, n);
};
const hand = time(each(wilsonInterval), 2000) / counts.length;
const functions = time(each(mathjsWilson), 200) / counts.length;
const parser =
  time(
    each((s, n) => compiled.evaluate({ p: s / n, z: Z_95, n })),
    50,
  ) / counts.length;
console.log(
  JSON.stringify({
    bench: 'wilson-interval',
    nsPerInterval: {
      hand: Math.round(hand),
      mathjsFunctions: Math.round(functions),
      mathjsCompiled: Math.round(parser),
    },
    maxAbsDiff: maxDiff,
    machine,
  }),
);

// Mean and standard deviation of 2000 episode lengths (a 40-task × 50-trial run).
const steps = Array.from({ length: 2000 }, (_, i) => 30 + ((i * 7919) % 270));
function handStats(xs: readonly number[]): [number, number] {
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / xs.length;
  let sq = 0;
  for (const x of xs) sq += (x - mean) * (x - mean);
  return [mean, Math.sqrt(sq / (xs.length - 1))];
}
const [m1, s1] = handStats(steps);
const m2 = math.mean(steps) as number;
const s2 = math.std(steps) as unknown as number;
const handUs = time(() => handStats(steps), 2000) / 1000;
const mathUs =
  time(() => {
    math.mean(steps);
    math.std(steps);
  }, 200) / 1000;
console.log(
  JSON.stringify({
    bench: 'mean-std-2000',
    usPerCall: { hand: Number(handUs.toFixed(2)), mathjs: Number(mathUs.toFixed(2)) },
    maxAbsDiff: Math.max(Math.abs(m1 - m2), Math.abs(s1 - s2)),
    machine,
  }),
);
