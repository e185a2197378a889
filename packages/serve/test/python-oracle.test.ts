// Differential test against real Python msgpack and websockets, when the machine has them
// (Debian: apt install python3-msgpack python3-numpy python3-websockets). The project never needs Python.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { adaptPolicy } from '../src/adapt-policy.js';
import { randomPolicy } from '../src/load-policy.js';
import { packMessage } from '../src/msgpack-numpy.js';
import { NdArray } from '../src/ndarray.js';
import { servePolicy } from '../src/server.js';

const oracle = join(import.meta.dirname, 'oracle/openpi_oracle.py');
// The first Python that has the three modules (a pyenv python3 may shadow Debian's).
const python = ['python3', '/usr/bin/python3'].find(
  (candidate) =>
    spawnSync(candidate, ['-c', 'import msgpack, numpy, websockets'], { stdio: 'ignore' }).status === 0,
);
const available = python !== undefined;
if (!available) {
  console.warn(
    'python-oracle: no python3 with msgpack, numpy and websockets; skipping the Python differential test',
  );
}

const run = promisify(execFile);

describe.skipIf(!available)('openpi wire format against Python msgpack + websockets', () => {
  it('packs a LIBERO-style observation to the same bytes as msgpack.packb with openpi’s pack_array', () => {
    const observation = {
      'observation/image': NdArray.from(new Uint8Array(12), [2, 2, 3]),
      'observation/wrist_image': NdArray.from(new Uint8Array(12).fill(7), [2, 2, 3]),
      'observation/state': NdArray.from(
        Float64Array.from({ length: 8 }, (_, i) => i),
        [8],
      ),
      prompt: 'open the drawer',
    };
    const fromPython = execFileSync(python as string, [oracle, 'bytes'])
      .toString()
      .trim();
    expect(Buffer.from(packMessage(observation)).toString('hex')).toBe(fromPython);
  });

  it('serves a Python client: metadata, float32 [10, 7] actions with server_timing, then a text error and close 1011', async () => {
    const server = await servePolicy(
      adaptPolicy(randomPolicy(0), {
        metadata: { policy: 'random' },
        imageSize: { height: 224, width: 224 },
      }),
      { port: 0 },
    );
    try {
      // Asynchronous: the server runs in this process and must keep answering while Python talks to it.
      const { stdout: out } = await run(python as string, [oracle, server.url], { timeout: 30_000 });
      expect(out).toContain("metadata {'policy': 'random'}");
      expect(out.match(/actions float32 \(10, 7\) timing \{'infer_ms'/g)?.length).toBe(3);
      expect(out).toContain("'prev_total_ms'");
      expect(out).toContain('error frame type str');
      expect(out).toContain('closed 1011');
    } finally {
      await server.close();
    }
  }, 60_000);
});
