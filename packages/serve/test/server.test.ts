import { afterEach, describe, expect, it } from 'vitest';
import { type RawData, WebSocket } from 'ws';
import { adaptPolicy } from '../src/adapt-policy.js';
import { remotePolicy, WebsocketPolicyClient } from '../src/client.js';
import type { InferencePolicy } from '../src/inference-policy.js';
import { observationToLibero } from '../src/libero.js';
import { packMessage, unpackMessage } from '../src/msgpack-numpy.js';
import { NdArray } from '../src/ndarray.js';
import { ACTION_DIM, type ActionChunk, type Observation, type Policy, STATE_DIM } from '../src/policy.js';
import {
  CLOSE_INTERNAL_ERROR,
  CLOSE_MESSAGE_TOO_BIG,
  INTERNAL_ERROR_REASON,
  type PolicyServer,
  type ServePolicyOptions,
  servePolicy,
} from '../src/server.js';

/** Resolves once `condition` holds (polled every 5 ms); fails after 10 s instead of hanging. */
async function until(condition: () => boolean, what = 'condition'): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const HORIZON = 5;

/** A policy with seeded random actions that records what it saw. */
function randomPolicy() {
  let seed = 12345;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return (seed / 2 ** 31) * 2 - 1;
  };
  const log: string[] = [];
  const seen: Observation[] = [];
  const returned: ActionChunk[] = [];
  const policy: Policy = {
    reset(instruction) {
      log.push(`reset:${instruction}`);
    },
    act(observation) {
      log.push('act');
      seen.push(observation);
      const chunk = {
        horizon: HORIZON,
        actions: Float32Array.from({ length: HORIZON * ACTION_DIM }, random),
      };
      returned.push(chunk);
      return chunk;
    },
  };
  return { policy, log, seen, returned };
}

function observation(instruction = 'open the drawer', size = 8): Observation {
  const image = Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 7) & 0xff);
  const wrist = Uint8Array.from({ length: size * size * 3 }, (_, i) => (i * 13 + 1) & 0xff);
  return {
    image: { width: size, height: size, data: image },
    wristImage: { width: size, height: size, data: wrist },
    state: Float64Array.from({ length: STATE_DIM }, (_, i) => i / 3),
    instruction,
  };
}

const servers: PolicyServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(policy: InferencePolicy, options: ServePolicyOptions = {}): Promise<PolicyServer> {
  const server = await servePolicy(policy, { port: 0, ...options });
  servers.push(server);
  return server;
}

interface Frame {
  readonly data: Uint8Array;
  readonly isBinary: boolean;
}

/** A bare `ws` client that records frames and the close code. */
async function rawClient(url: string) {
  const socket = new WebSocket(url);
  sockets.push(socket);
  const frames: Frame[] = [];
  const waiters: ((frame: Frame) => void)[] = [];
  socket.on('message', (data: RawData, isBinary) => {
    const frame = { data: new Uint8Array(data as Buffer), isBinary };
    const waiter = waiters.shift();
    if (waiter) waiter(frame);
    else frames.push(frame);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const next = (): Promise<Frame> =>
    frames.length > 0 ? Promise.resolve(frames.shift()!) : new Promise((resolve) => waiters.push(resolve));
  return { socket, next, closed };
}

async function expectServes(server: PolicyServer): Promise<void> {
  const client = await WebsocketPolicyClient.connect(server.url);
  const reply = await client.infer(observationToLibero(observation()));
  expect(reply.actions).toBeInstanceOf(NdArray);
  await client.close();
}

describe('servePolicy ↔ WebsocketPolicyClient', () => {
  it('round-trips a LIBERO observation and the policy’s actions', async () => {
    const { policy, seen, returned } = randomPolicy();
    const server = await start(adaptPolicy(policy, { metadata: { name: 'random' } }));
    const client = await WebsocketPolicyClient.connect(server.url);
    expect(client.metadata).toEqual({ name: 'random' });

    const sent = observation();
    const reply = await client.infer(observationToLibero(sent));
    const actions = reply.actions as NdArray<'float32'>;
    expect(actions.dtype).toBe('float32');
    expect(actions.shape).toEqual([HORIZON, ACTION_DIM]);
    expect(Array.from(actions.data)).toEqual(Array.from(returned[0].actions));
    expect(Array.from(seen[0].image.data)).toEqual(Array.from(sent.image.data));
    expect(Array.from(seen[0].wristImage.data)).toEqual(Array.from(sent.wristImage.data));
    expect(Array.from(seen[0].state)).toEqual(Array.from(sent.state));
    expect(seen[0].instruction).toBe('open the drawer');
    expect(Object.keys(reply)).toEqual(['actions', 'server_timing']);

    const firstTiming = reply.server_timing as Record<string, number>;
    expect(Object.keys(firstTiming)).toEqual(['infer_ms']);
    expect(firstTiming.infer_ms).toBeGreaterThanOrEqual(0);
    const second = await client.infer(observationToLibero(sent));
    const secondTiming = second.server_timing as Record<string, number>;
    expect(Object.keys(secondTiming)).toEqual(['infer_ms', 'prev_total_ms']);
    expect(secondTiming.prev_total_ms).toBeGreaterThanOrEqual(firstTiming.infer_ms);
    expect(server.stats.requests).toBe(2);
    await client.close();
  });

  it('remotePolicy acts through the server; reset runs only when the prompt changes', async () => {
    const { policy, log, returned } = randomPolicy();
    const server = await start(adaptPolicy(policy));
    const remote = await remotePolicy(server.url);
    const a1 = await remote.act(observation('a'));
    await remote.act(observation('a'));
    await remote.act(observation('b'));
    expect(log).toEqual(['reset:a', 'act', 'act', 'reset:b', 'act']);
    expect(a1.horizon).toBe(HORIZON);
    expect(a1.actions).toBeInstanceOf(Float32Array);
    expect(Array.from(a1.actions)).toEqual(Array.from(returned[0].actions));
    await remote.close?.();
  });

  it('remotePolicy accepts float64 actions and a bare host:port url', async () => {
    const values = Float64Array.from({ length: 2 * ACTION_DIM }, (_, i) => i / 8);
    const server = await start({ infer: () => ({ actions: NdArray.from(values, [2, ACTION_DIM]) }) });
    const remote = await remotePolicy(server.url.replace('ws://', ''));
    const chunk = await remote.act(observation());
    expect(chunk.horizon).toBe(2);
    expect(Array.from(chunk.actions)).toEqual(Array.from(values));
    await remote.close();
  });

  it('queues concurrent infer calls on one connection and answers them in order', async () => {
    const order: number[] = [];
    const server = await start({
      infer: async (obs) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(obs.i as number);
        return { i: obs.i };
      },
    });
    const client = await WebsocketPolicyClient.connect(server.url);
    const replies = await Promise.all([0, 1, 2, 3].map((i) => client.infer({ i })));
    expect(replies.map((r) => r.i)).toEqual([0, 1, 2, 3]);
    expect(order).toEqual([0, 1, 2, 3]);
    await client.close();
  });

  it('serves several clients at once', async () => {
    const server = await start({ infer: (obs) => ({ echo: obs.n }) });
    const clients = await Promise.all([1, 2, 3].map(() => WebsocketPolicyClient.connect(server.url)));
    const replies = await Promise.all(clients.map((c, n) => c.infer({ n })));
    expect(replies.map((r) => r.echo)).toEqual([0, 1, 2]);
    expect(server.stats.openConnections).toBe(3);
    await Promise.all(clients.map((c) => c.close()));
  });

  it('rejects with the server’s message on a text frame, then reports the closed connection', async () => {
    const server = await start(adaptPolicy(randomPolicy().policy));
    const client = await WebsocketPolicyClient.connect(server.url);
    const bad = {
      ...observationToLibero(observation()),
      'observation/state': NdArray.from(new Float32Array(7)),
    };
    await expect(client.infer(bad)).rejects.toThrow(
      /Error in inference server:\n.*observation\/state: expected float64 \[8\] \(or float32\), got float32 \[7\]/,
    );
    await expect(client.infer(observationToLibero(observation()))).rejects.toThrow(/code 1011/);
    await expectServes(server);
  });

  it('connect retries until the server is up, and fails clearly when it never is', async () => {
    const probe = await servePolicy({ infer: () => ({}) }, { port: 0 });
    const port = probe.port;
    await probe.close();
    await expect(
      WebsocketPolicyClient.connect(`ws://127.0.0.1:${port}`, { retry: { attempts: 2, delayMs: 10 } }),
    ).rejects.toThrow(/cannot connect/);

    const connecting = WebsocketPolicyClient.connect(`ws://127.0.0.1:${port}`, {
      retry: { attempts: 500, delayMs: 20 },
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await start({ metadata: { late: true }, infer: () => ({}) }, { port });
    const client = await connecting;
    expect(client.metadata).toEqual({ late: true });
    await client.close();
  });
});

describe('wire behaviour, seen from a bare ws client', () => {
  it('sends packb(metadata) as the first frame, byte for byte', async () => {
    const server = await start({ metadata: { name: 'random' }, infer: () => ({}) });
    const raw = await rawClient(server.url);
    const first = await raw.next();
    expect(first.isBinary).toBe(true);
    // {"name": "random"}: fixmap 1, fixstr 4 "name", fixstr 6 "random"
    expect(toHex(first.data)).toBe(toHex(hex('81 a4 6e 61 6d 65 a6 72 61 6e 64 6f 6d')));

    const empty = await start({ infer: () => ({}) });
    const raw2 = await rawClient(empty.url);
    expect(toHex((await raw2.next()).data)).toBe('80');
  });

  it('replies with the outputs followed by server_timing as float64', async () => {
    const server = await start({ infer: () => ({ actions: NdArray.zeros('float32', [1, 1]) }) });
    const raw = await rawClient(server.url);
    await raw.next();
    raw.socket.send(packMessage({ x: 1 }));
    const reply = await raw.next();
    const bytes = toHex(reply.data);
    // fixmap 2; "actions" → ndarray; "server_timing" (fixstr 13) → fixmap 1 { "infer_ms" (fixstr 8): cb … }
    expect(bytes.startsWith('82a7616374696f6e7384')).toBe(true);
    const timingAt = bytes.indexOf(
      toHex(hex('ad 73 65 72 76 65 72 5f 74 69 6d 69 6e 67 81 a8 69 6e 66 65 72 5f 6d 73 cb')),
    );
    expect(timingAt).toBeGreaterThan(0);
    expect(bytes.length - timingAt).toBe(2 * (25 + 8));
  });

  const malformed: { name: string; send: (socket: WebSocket) => void; message: RegExp }[] = [
    {
      name: 'truncated msgpack',
      send: (s) => s.send(hex('92 01')),
      message: /not a valid msgpack message/,
    },
    {
      name: 'garbage with a reserved byte',
      send: (s) => s.send(hex('c1 ff 00 13')),
      message: /not a valid msgpack message|unsupported msgpack value/,
    },
    {
      name: 'a text frame',
      send: (s) => s.send('{"prompt": "hi"}'),
      message: /expected a binary msgpack frame, got a text frame/,
    },
    {
      name: 'msgpack that is not a map',
      send: (s) => s.send(packMessage([1, 2, 3])),
      message: /expected a msgpack map of observations, got an array/,
    },
    {
      name: 'a wrong dtype',
      send: (s) =>
        s.send(
          packMessage({
            ...observationToLibero(observation()),
            'observation/state': NdArray.from(new Int32Array(8)),
          }),
        ),
      message: /observation\/state: expected float64 \[8\] \(or float32\), got int32 \[8\]/,
    },
    {
      name: 'a wrong shape',
      send: (s) =>
        s.send(
          packMessage({
            ...observationToLibero(observation()),
            'observation/image': NdArray.zeros('uint8', [8, 8, 4]),
          }),
        ),
      message: /observation\/image: expected uint8 \[h, w, 3\], got uint8 \[8, 8, 4\]/,
    },
    {
      name: 'a missing key',
      send: (s) => {
        const { prompt: _prompt, ...rest } = observationToLibero(observation());
        s.send(packMessage(rest));
      },
      message: /prompt: expected a str, got nothing \(key missing\)/,
    },
  ];

  for (const { name, send, message } of malformed) {
    it(`answers ${name} with a text error frame and close 1011, then keeps serving`, async () => {
      const server = await start(adaptPolicy(randomPolicy().policy));
      const raw = await rawClient(server.url);
      await raw.next();
      send(raw.socket);
      const error = await raw.next();
      expect(error.isBinary).toBe(false);
      expect(Buffer.from(error.data).toString()).toMatch(message);
      expect(await raw.closed).toEqual({ code: CLOSE_INTERNAL_ERROR, reason: INTERNAL_ERROR_REASON });
      expect(server.stats.errors).toBe(1);
      await expectServes(server);
    });
  }

  it('closes an oversize frame with 1009 and keeps serving', async () => {
    const server = await start(adaptPolicy(randomPolicy().policy), { maxPayloadBytes: 4096 });
    const raw = await rawClient(server.url);
    await raw.next();
    raw.socket.send(packMessage({ blob: new Uint8Array(8192) }));
    expect((await raw.closed).code).toBe(CLOSE_MESSAGE_TOO_BIG);
    const client = await WebsocketPolicyClient.connect(server.url);
    await expect(client.infer({ blob: new Uint8Array(8192) })).rejects.toThrow(/code 1009.*size limit/);
    await expectServes(server);
  });

  it('runs the validate hook before infer', async () => {
    let inferred = 0;
    const server = await start(
      {
        infer: () => {
          inferred++;
          return {};
        },
      },
      {
        validate: (obs) => {
          if (!('prompt' in obs)) throw new Error('prompt is required');
        },
      },
    );
    const client = await WebsocketPolicyClient.connect(server.url);
    await expect(client.infer({})).rejects.toThrow(/prompt is required/);
    expect(inferred).toBe(0);
  });

  it('drops the reply when the client leaves mid-request and stays healthy', async () => {
    let release: () => void = () => undefined;
    let started: () => void = () => undefined;
    const inferStarted = new Promise<void>((resolve) => {
      started = resolve;
    });
    const server = await start({
      infer: async () => {
        started();
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        return { actions: NdArray.zeros('float32', [1, ACTION_DIM]) };
      },
    });
    const raw = await rawClient(server.url);
    await raw.next();
    raw.socket.send(packMessage({ x: 1 }));
    await inferStarted;
    raw.socket.terminate();
    await raw.closed;
    // Wait for the server's own view of events, not for a fixed time.
    await until(() => server.stats.openConnections === 0);
    release();
    await until(() => server.stats.droppedReplies === 1);
    expect(server.stats.droppedReplies).toBe(1);
    expect(server.stats.openConnections).toBe(0);
    const response = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(response.status).toBe(200);
  });

  it('answers GET /healthz with 200 "OK\\n" and other paths with 404', async () => {
    const server = await start({ infer: () => ({}) });
    const ok = await fetch(`http://127.0.0.1:${server.port}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('OK\n');
    const missing = await fetch(`http://127.0.0.1:${server.port}/nope`);
    expect(missing.status).toBe(404);
    await missing.text();
  });

  it('rejects when the port is taken', async () => {
    const server = await start(adaptPolicy(randomPolicy().policy));
    await expect(servePolicy({ infer: () => ({}) }, { port: server.port })).rejects.toThrow(/EADDRINUSE/);
    await expectServes(server);
  });

  it('close() closes open connections with 1001', async () => {
    const server = await servePolicy({ infer: () => ({}) }, { port: 0 });
    const raw = await rawClient(server.url);
    await raw.next();
    await server.close();
    expect((await raw.closed).code).toBe(1001);
  });

  it('decodes what a Python client sends: the hand-written LIBERO bytes', async () => {
    const { policy, seen } = randomPolicy();
    const server = await start(adaptPolicy(policy));
    const raw = await rawClient(server.url);
    await raw.next();
    const image = (fill: string) =>
      `84 c4 0b 5f 5f 6e 64 61 72 72 61 79 5f 5f c3 c4 04 64 61 74 61 c4 0c ${fill.repeat(12)}
       c4 05 64 74 79 70 65 a3 7c 75 31 c4 05 73 68 61 70 65 93 02 02 03`;
    // {"observation/image": uint8 [2,2,3] of 1s, "observation/wrist_image": … of 2s,
    //  "observation/state": np.ones(8) float64, "prompt": "go"}
    raw.socket.send(
      hex(`84 b1 6f 62 73 65 72 76 61 74 69 6f 6e 2f 69 6d 61 67 65 ${image('01 ')}
        b7 6f 62 73 65 72 76 61 74 69 6f 6e 2f 77 72 69 73 74 5f 69 6d 61 67 65 ${image('02 ')}
        b1 6f 62 73 65 72 76 61 74 69 6f 6e 2f 73 74 61 74 65
          84 c4 0b 5f 5f 6e 64 61 72 72 61 79 5f 5f c3 c4 04 64 61 74 61 c4 40 ${'00 00 00 00 00 00 f0 3f '.repeat(8)}
          c4 05 64 74 79 70 65 a3 3c 66 38 c4 05 73 68 61 70 65 91 08
        a6 70 72 6f 6d 70 74 a2 67 6f`),
    );
    const reply = unpackMessage((await raw.next()).data) as Record<string, unknown>;
    expect((reply.actions as NdArray).shape).toEqual([HORIZON, ACTION_DIM]);
    expect(seen[0].image).toEqual({ height: 2, width: 2, data: new Uint8Array(12).fill(1) });
    expect(Array.from(seen[0].wristImage.data)).toEqual(Array(12).fill(2));
    expect(Array.from(seen[0].state)).toEqual(Array(8).fill(1));
    expect(seen[0].instruction).toBe('go');
  });
});
