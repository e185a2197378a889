import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebsocketPolicyClient } from '../src/client.js';
import { observationToLibero, replyToActionChunk } from '../src/libero.js';

// CI builds before testing (`turbo run build`, then the tests), so these drive the built CLI as a user would.
const CLI = resolve(import.meta.dirname, '../dist/cli.js');
const HAVE_CLI = existsSync(CLI);
if (!HAVE_CLI) console.warn(`[serve/cli] ${CLI} is absent (run the build first): skipping the CLI tests`);

/** Runs the CLI to completion; resolves with its exit code and output. */
function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

describe.skipIf(!HAVE_CLI)('roboalign-serve', () => {
  describe('--policy random --port 0 --image-size 32', () => {
    let server: ChildProcessWithoutNullStreams | undefined;
    let exited: Promise<number | null>;
    let url = '';

    beforeAll(async () => {
      const child = spawn(process.execPath, [CLI, '--policy', 'random', '--port', '0', '--image-size', '32']);
      server = child;
      exited = new Promise((r) => child.on('exit', (code) => r(code)));
      url = await new Promise<string>((resolveUrl, reject) => {
        let seen = '';
        const onData = (d: Buffer) => {
          seen += d.toString('utf8');
          const match = /ws:\/\/[^\s]+:\d+/.exec(seen);
          if (match) resolveUrl(match[0]);
        };
        child.stdout.on('data', onData);
        child.stderr.on('data', onData);
        child.on('exit', (code) => reject(new Error(`exited with ${code} before printing a URL:\n${seen}`)));
      });
    });

    afterAll(async () => {
      if (!server || server.exitCode !== null) return;
      server.kill('SIGTERM');
      // SIGTERM closes the server and exits 0.
      expect(await exited).toBe(0);
    });

    it('serves random chunks of 10 actions in [−1, 1] to an openpi client', async () => {
      const client = await WebsocketPolicyClient.connect(url);
      try {
        expect(client.metadata).toEqual({ policy: 'random' });
        const image = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 3) };
        const reply = await client.infer(
          observationToLibero({ image, wristImage: image, state: new Float64Array(8), instruction: 'wave' }),
        );
        const chunk = replyToActionChunk(reply);
        expect(chunk.horizon).toBe(10);
        expect(Array.from(chunk.actions).every((v) => v >= -1 && v <= 1)).toBe(true);
      } finally {
        await client.close();
      }
    });
  });

  it('load-test --json measures the round trip of a few requests', async () => {
    const { code, stdout, stderr } = await runCli([
      'load-test',
      '--clients',
      '2',
      '--requests',
      '5',
      '--compute-ms',
      '0',
      '--image-size',
      '16',
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const result = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect([result.clients, result.requests]).toEqual([2, 10]);
    expect(result.roundTripMs.p50).toBeGreaterThan(0);
  });

  it('names a missing --policy and exits 1', async () => {
    const { code, stderr } = await runCli(['--port', '0']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/roboalign-serve: --policy is required/);
  });
});
