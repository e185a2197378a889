import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NdArray, WebsocketPolicyClient } from '@roboalign/serve';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// CI builds before testing (`turbo run build`, then the tests), so these drive the built CLI as a user would.
const CLI = resolve(import.meta.dirname, '../../dist/cli.js');
const HAVE_CLI = existsSync(CLI);
if (!HAVE_CLI) console.warn(`[bench/cli] ${CLI} is absent (run the build first): skipping the CLI tests`);

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let tmp = '';

/** Runs the CLI to completion in `tmp`. */
function runCli(args: readonly string[], timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`roboalign-bench ${args.join(' ')}: no exit within ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** The last non-empty stdout line, parsed as JSON. */
function lastJsonLine<T = Record<string, unknown>>(result: CliResult): T {
  const lines = result.stdout.split('\n').filter((l) => l.trim().length > 0);
  expect(lines.length, `no stdout; stderr:\n${result.stderr}`).toBeGreaterThan(0);
  return JSON.parse(lines[lines.length - 1]) as T;
}

async function expectOutputs(out: string): Promise<void> {
  const report = JSON.parse(await readFile(join(out, 'report.json'), 'utf8')) as { kind: string };
  expect(['episodes', 'chains']).toContain(report.kind);
  expect((await readFile(join(out, 'table.md'), 'utf8')).length).toBeGreaterThan(0);
  const png = await readFile(join(out, 'plot.png'));
  expect([...png.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
}

beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'bench-cli-'));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe.skipIf(!HAVE_CLI)('roboalign-bench (dist/cli.js)', () => {
  it('list --json: the five suites with their tasks', async () => {
    const result = await runCli(['list', '--json']);
    expect(result.code).toBe(0);
    const suites = lastJsonLine<{ name: string; kind: string; tasks: unknown[] }[]>(result);
    expect(suites.map((s) => s.name)).toEqual([
      'libero-spatial',
      'libero-object',
      'libero-goal',
      'libero-long',
      'calvin',
    ]);
    expect(suites.map((s) => s.kind)).toEqual(['episodes', 'episodes', 'episodes', 'episodes', 'chains']);
    expect(suites.map((s) => s.tasks.length)).toEqual([10, 10, 10, 10, 22]);
  });

  it('evaluate random on libero-goal task 0 --json: summary on the last line, report.json, table.md, plot.png', async () => {
    const out = join(tmp, 'random-goal');
    const result = await runCli([
      'evaluate',
      '--suite',
      'libero-goal',
      '--policy',
      'random',
      '--trials',
      '1',
      '--tasks',
      '0',
      '--json',
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const summary = lastJsonLine(result);
    expect(summary.kind).toBe('episodes');
    expect(typeof summary.successRate).toBe('number');
    expect(summary.successRate).toBeGreaterThanOrEqual(0);
    expect(summary.successRate).toBeLessThanOrEqual(1);
    expect(summary.episodes).toHaveLength(1);
    await expectOutputs(out);
    expect(result.stderr).toContain('report.json');
  });

  it('evaluate expert on 2 calvin chains --json: avgLen and successRate = avgLen / 5', async () => {
    const out = join(tmp, 'expert-calvin');
    const result = await runCli([
      'evaluate',
      '--suite',
      'calvin',
      '--policy',
      'expert',
      '--chains',
      '2',
      '--json',
      '--out',
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const summary = lastJsonLine(result);
    expect(summary.kind).toBe('chains');
    expect(typeof summary.avgLen).toBe('number');
    expect(typeof summary.successRate).toBe('number');
    expect(summary.successRate).toBeCloseTo((summary.avgLen as number) / 5, 12);
    expect(summary.avgLen).toBeGreaterThanOrEqual(4);
    expect(summary.results).toHaveLength(2);
    await expectOutputs(out);
  });

  it('evaluate with an unknown suite exits 1 naming the suites', async () => {
    const result = await runCli(['evaluate', '--suite', 'nope', '--policy', 'random']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown suite "nope"/);
    expect(result.stderr).toMatch(/libero-spatial, libero-object, libero-goal, libero-long, calvin/);
  });

  it('an unknown command exits 1 and prints the usage', async () => {
    const result = await runCli(['frobnicate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unknown command "frobnicate"/);
    expect(result.stderr).toContain('roboalign-bench <command>');
  });

  it('evaluate without --policy names the missing option', async () => {
    const result = await runCli(['evaluate', '--suite', 'libero-goal']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--policy is required/);
  });

  describe('evaluate --shard i/n + merge: the same report as one unsharded run', () => {
    /**
     * report.json without the fields that say when the run ran: `meta.startedAt` and `meta.durationMs` (a
     * merged run's are the first shard's start and the span to the last shard's end), and `meta.shards`
     * (only merged reports list their shards). Everything else must match, `meta.machine` included, since
     * here every shard ran on this machine, and `meta.run.workers`, since every run here used 1 thread.
     */
    async function comparableReport(dir: string): Promise<Record<string, unknown>> {
      const report = JSON.parse(await readFile(join(dir, 'report.json'), 'utf8'));
      delete report.meta.startedAt;
      delete report.meta.durationMs;
      delete report.meta.shards;
      return report;
    }

    /** The rollout videos of index.html, as their data URIs, in page order. */
    async function pageVideos(dir: string): Promise<string[]> {
      const html = await readFile(join(dir, 'index.html'), 'utf8');
      return [...html.matchAll(/src="(data:image\/webp;base64,[^"]+)"/g)].map((m) => m[1]);
    }

    async function expectSameOutputs(merged: string, whole: string): Promise<void> {
      const report = await comparableReport(merged);
      expect(report).toEqual(await comparableReport(whole));
      expect(await readFile(join(merged, 'table.md'), 'utf8')).toBe(
        await readFile(join(whole, 'table.md'), 'utf8'),
      );
      expect((await readFile(join(merged, 'plot.png'))).equals(await readFile(join(whole, 'plot.png')))).toBe(
        true,
      );
      expect(await pageVideos(merged)).toEqual(await pageVideos(whole));
    }

    it('random on libero-goal tasks 0 and 1, 2 trials each, all videos, as 3 shards in one folder', async () => {
      const common = [
        'evaluate',
        '--suite',
        'libero-goal',
        '--policy',
        'random',
        '--tasks',
        '0,1',
        '--trials',
        '2',
        '--seed',
        '3',
        '--image-size',
        '16',
        '--workers',
        '1',
        // Every rollout's video: its frames show that each episode saw the same observations and actions
        // in its shard as in the unsharded run (random fails every episode at maxSteps, so results alone
        // would not tell).
        '--videos',
        'all',
      ];
      const whole = join(tmp, 'random-whole');
      const shards = join(tmp, 'random-shards');
      const runs = await Promise.all([
        runCli([...common, '--out', whole], 60_000),
        ...[0, 1, 2].map((i) => runCli([...common, '--shard', `${i}/3`, '--out', shards], 60_000)),
      ]);
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      expect(runs[2].stdout).toContain('shard 1/3 of libero-goal: 1 of 4 episodes');
      expect(runs[2].stdout).toContain(join(shards, 'shard-1-of-3.json'));
      const merged = join(tmp, 'random-merged');
      const result = await runCli(['merge', shards, '--out', merged, '--json']);
      expect(result.code, result.stderr).toBe(0);
      const summary = lastJsonLine<{ episodes: unknown[]; meta: { shards: { rollouts: number }[] } }>(result);
      expect(summary.episodes).toHaveLength(4);
      expect(summary.meta.shards.map((s) => s.rollouts)).toEqual([2, 1, 1]);
      await expectOutputs(merged);
      await expectSameOutputs(merged, whole);
      expect(await pageVideos(whole)).toHaveLength(4);
      expect((await readdir(join(shards, 'shard-0-of-3.videos'))).sort()).toEqual([
        'task-0-trial-0.webp',
        'task-1-trial-1.webp',
      ]);
    }, 120_000);

    it('the expert on 3 calvin chains, as 2 shards in folders of their own', async () => {
      const common = ['evaluate', '--suite', 'calvin', '--policy', 'expert', '--chains', '3'];
      const more = ['--image-size', '16', '--workers', '1'];
      const whole = join(tmp, 'chains-whole');
      const [a, b] = [join(tmp, 'chains-0'), join(tmp, 'chains-1')];
      const runs = await Promise.all([
        runCli([...common, ...more, '--out', whole], 60_000),
        runCli([...common, '--shard', '0/2', ...more, '--out', a, '--json'], 60_000),
        runCli([...common, '--shard', '1/2', ...more, '--out', b], 60_000),
      ]);
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      const part = lastJsonLine<{ shard: unknown; planned: number; results: { chain: number }[] }>(runs[1]);
      expect(part.shard).toEqual({ index: 0, count: 2 });
      expect(part.planned).toBe(3);
      expect(part.results.map((r) => r.chain)).toEqual([0, 2]);
      const merged = join(tmp, 'chains-merged');
      const result = await runCli(['merge', a, b, '--out', merged]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('average length');
      await expectSameOutputs(merged, whole);

      // One shard short, or a folder without shards: refused, naming what is wrong, and nothing written.
      const short = await runCli(['merge', a, '--out', join(tmp, 'never')]);
      expect(short.code).toBe(1);
      expect(short.stderr).toMatch(/merge: missing 1 of 2 shards: 1\/2/);
      const stray = await runCli(['merge', a, b, whole, '--out', join(tmp, 'never')]);
      expect(stray.code).toBe(1);
      expect(stray.stderr).toContain(`merge: ${whole} holds no shard-<i>-of-<n>.json`);
      expect(existsSync(join(tmp, 'never'))).toBe(false);
    }, 120_000);

    it('rejects a bad --shard, a shard without --out, and merge without folders', async () => {
      const base = ['evaluate', '--suite', 'libero-goal', '--policy', 'random', '--trials', '1'];
      const outside = await runCli([...base, '--shard', '4/4', '--out', join(tmp, 'x')]);
      expect(outside.code).toBe(1);
      expect(outside.stderr).toContain('--shard 4/4: the shard index must be in 0..3');
      const text = await runCli([...base, '--shard', 'first', '--out', join(tmp, 'x')]);
      expect(text.code).toBe(1);
      expect(text.stderr).toContain('--shard must be INDEX/COUNT, 0-based (e.g. 0/4 … 3/4), got "first"');
      const noOut = await runCli([...base, '--shard', '0/2']);
      expect(noOut.code).toBe(1);
      expect(noOut.stderr).toContain('--shard needs --out DIR');
      const nothing = await runCli(['merge']);
      expect(nothing.code).toBe(1);
      expect(nothing.stderr).toContain('merge needs the folders that hold the shard outputs');
      const stray = await runCli(['list', 'extra']);
      expect(stray.code).toBe(1);
      expect(stray.stderr).toContain('list takes no positional argument, got "extra"');
    });
  });

  describe('serve --policy random --port 0 --image-size 224', () => {
    let server: ChildProcessWithoutNullStreams | undefined;
    let url = '';
    let exited: Promise<number | null>;

    beforeAll(async () => {
      const child = spawn(
        process.execPath,
        [CLI, 'serve', '--policy', 'random', '--port', '0', '--image-size', '224'],
        { cwd: tmp },
      );
      server = child;
      exited = new Promise((r) => child.on('exit', (code) => r(code)));
      url = await new Promise<string>((resolveUrl, reject) => {
        let seen = '';
        const timer = setTimeout(
          () => reject(new Error(`serve printed no URL within 15 s:\n${seen}`)),
          15_000,
        );
        const onData = (d: Buffer) => {
          seen += d.toString('utf8');
          const match = /ws:\/\/[^\s]+:\d+/.exec(seen);
          if (match) {
            clearTimeout(timer);
            resolveUrl(match[0]);
          }
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code) =>
          reject(new Error(`serve exited with ${code} before printing a URL:\n${seen}`)),
        );
      });
    });

    afterAll(async () => {
      if (!server || server.exitCode !== null) return;
      server.kill('SIGTERM');
      // The CLI closes the server on SIGTERM and exits 0.
      expect(await exited).toBe(0);
    });

    it('prints a ws:// URL with the chosen port, and answers GET /healthz with 200', async () => {
      expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
      expect(Number(url.split(':').pop())).toBeGreaterThan(0);
      const response = await fetch(`${url.replace(/^ws:/, 'http:')}/healthz`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe('OK\n');
    });

    it('answers a LIBERO observation with float32 [10, 7] actions in [−1, 1]', async () => {
      const client = await WebsocketPolicyClient.connect(url);
      try {
        expect(client.metadata).toEqual({ policy: 'random' });
        const image = NdArray.from(new Uint8Array(224 * 224 * 3).fill(128), [224, 224, 3]);
        const reply = await client.infer({
          'observation/image': image,
          'observation/wrist_image': NdArray.from(new Uint8Array(224 * 224 * 3), [224, 224, 3]),
          'observation/state': NdArray.from(new Float64Array(8), [8]),
          prompt: 'put the red block on the plate',
        });
        const actions = reply.actions;
        expect(actions).toBeInstanceOf(NdArray);
        const array = actions as NdArray;
        expect(array.dtype).toBe('float32');
        expect(array.shape).toEqual([10, 7]);
        const values = Array.from(array.data as Float32Array);
        expect(values.every((v) => v >= -1 && v <= 1)).toBe(true);
        expect(new Set(values).size).toBeGreaterThan(60);
        expect(reply.server_timing).toBeDefined();
      } finally {
        await client.close();
      }
    });

    it('rejects an image of the wrong size, naming the key and the expected shape', async () => {
      const client = await WebsocketPolicyClient.connect(url);
      try {
        await expect(
          client.infer({
            'observation/image': NdArray.from(new Uint8Array(32 * 32 * 3), [32, 32, 3]),
            'observation/wrist_image': NdArray.from(new Uint8Array(224 * 224 * 3), [224, 224, 3]),
            'observation/state': NdArray.from(new Float64Array(8), [8]),
            prompt: 'open the drawer',
          }),
        ).rejects.toThrow(/observation\/image: expected uint8 \[224, 224, 3\]/);
      } finally {
        await client.close();
      }
    });

    it('evaluate --policy ws://… runs libero-goal task 0 against the served policy', async () => {
      const out = join(tmp, 'ws-goal');
      const result = await runCli(
        [
          'evaluate',
          '--suite',
          'libero-goal',
          '--policy',
          url,
          '--trials',
          '1',
          '--tasks',
          '0',
          '--json',
          '--workers',
          '1',
          '--image-size',
          '224',
          '--out',
          out,
        ],
        60_000,
      );
      expect(result.code, result.stderr).toBe(0);
      const summary = lastJsonLine<{ successRate: number; episodes: { steps: number }[] }>(result);
      expect(typeof summary.successRate).toBe('number');
      expect(summary.episodes).toHaveLength(1);
      expect(summary.episodes[0].steps).toBeGreaterThan(0);
      await expectOutputs(out);
    }, 60_000);
  });
});
