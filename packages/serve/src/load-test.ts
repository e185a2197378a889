/**
 * A loopback load test of the policy server: N clients, each sending LIBERO-sized observations in turn,
 * to a policy whose compute is a fixed busy-wait. What is left of the round trip once that compute is
 * taken away is the latency the server and the protocol add (packing on both sides, the socket, and,
 * with several clients, the wait behind the other clients' compute, since a busy-wait holds the one thread).
 */
import { performance } from 'node:perf_hooks';
import { adaptPolicy } from './adapt-policy.js';
import { WebsocketPolicyClient } from './client.js';
import { ServeError } from './errors.js';
import { observationToLibero } from './libero.js';
import { packMessage } from './msgpack-numpy.js';
import { ACTION_DIM, type Observation, type Policy, STATE_DIM } from './policy.js';
import { servePolicy } from './server.js';

/** Options of `measureServerOverhead`. */
export interface LoadTestOptions {
  /** Concurrent connections; default 16. */
  readonly clients?: number;
  /** Timed requests per connection; default 200. */
  readonly requestsPerClient?: number;
  /** Untimed requests per connection before timing; default 5. */
  readonly warmupRequests?: number;
  /** The policy's busy-wait per request, in ms; default 2. */
  readonly computeMs?: number;
  /** Side of both square images; default 224 (openpi's LIBERO resolution). */
  readonly imageSize?: number;
  /** Actions per reply; default 10. */
  readonly horizon?: number;
}

/** Summary statistics of a set of durations, in ms. */
export interface Percentiles {
  readonly mean: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

/** What `measureServerOverhead` measured. */
export interface LoadTestResult {
  readonly clients: number;
  readonly requests: number;
  readonly seconds: number;
  /** Replies per second over the timed phase. */
  readonly throughput: number;
  readonly computeMs: number;
  /** Size of one request frame. */
  readonly requestBytes: number;
  /** Client-side round trip: pack, send, server work, receive, unpack. */
  readonly roundTripMs: Percentiles;
  /** Round trip minus the policy's compute: what the server and the protocol add. */
  readonly overheadMs: Percentiles;
  /** The server's own `server_timing.infer_ms`. */
  readonly serverInferMs: Percentiles;
}

function busyWait(ms: number): void {
  const end = performance.now() + ms;
  let spins = 0;
  while (performance.now() < end) spins++;
  if (spins < 0) throw new ServeError('unreachable');
}

/** Mean, median, 99th percentile (nearest rank) and maximum of `values`. */
export function percentiles(values: ArrayLike<number>): Percentiles {
  if (values.length === 0) throw new ServeError('percentiles: no values');
  const sorted = Float64Array.from(values).sort();
  const rank = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  let sum = 0;
  for (const v of sorted) sum += v;
  return { mean: sum / sorted.length, p50: rank(0.5), p99: rank(0.99), max: sorted[sorted.length - 1] };
}

function syntheticObservation(size: number): Observation {
  const pixels = (seed: number): Uint8Array => {
    const data = new Uint8Array(size * size * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed) & 0xff;
    return data;
  };
  return {
    image: { width: size, height: size, data: pixels(0) },
    wristImage: { width: size, height: size, data: pixels(7) },
    state: Float64Array.from({ length: STATE_DIM }, (_, i) => i * 0.1),
    instruction: 'put the bowl on the plate',
  };
}

function positive(name: string, value: number, integer: boolean): number {
  if (!(value > 0) || (integer && !Number.isInteger(value))) {
    throw new ServeError(
      `measureServerOverhead: ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${value}`,
    );
  }
  return value;
}

/** Starts a loopback server and `clients` clients, runs the load, and reports throughput and latencies. */
export async function measureServerOverhead(options: LoadTestOptions = {}): Promise<LoadTestResult> {
  const clients = positive('clients', options.clients ?? 16, true);
  const requestsPerClient = positive('requestsPerClient', options.requestsPerClient ?? 200, true);
  const warmupRequests = options.warmupRequests ?? 5;
  const computeMs = options.computeMs ?? 2;
  if (!(computeMs >= 0) || !Number.isFinite(computeMs)) {
    throw new ServeError(`measureServerOverhead: computeMs must be a non-negative number, got ${computeMs}`);
  }
  const imageSize = positive('imageSize', options.imageSize ?? 224, true);
  const horizon = positive('horizon', options.horizon ?? 10, true);

  const policy: Policy = {
    act: () => {
      busyWait(computeMs);
      return { horizon, actions: new Float32Array(horizon * ACTION_DIM) };
    },
  };
  const server = await servePolicy(adaptPolicy(policy), { port: 0 });
  const connections: WebsocketPolicyClient[] = [];
  try {
    for (let i = 0; i < clients; i++) connections.push(await WebsocketPolicyClient.connect(server.url));
    const request = observationToLibero(syntheticObservation(imageSize));
    const total = clients * requestsPerClient;
    const roundTrips = new Float64Array(total);
    const inferTimes = new Float64Array(total);

    await Promise.all(
      connections.map(async (client) => {
        for (let i = 0; i < warmupRequests; i++) await client.infer(request);
      }),
    );
    const start = performance.now();
    await Promise.all(
      connections.map(async (client, c) => {
        for (let i = 0; i < requestsPerClient; i++) {
          const sent = performance.now();
          const reply = await client.infer(request);
          roundTrips[c * requestsPerClient + i] = performance.now() - sent;
          const timing = reply.server_timing as { infer_ms?: unknown } | undefined;
          inferTimes[c * requestsPerClient + i] =
            typeof timing?.infer_ms === 'number' ? timing.infer_ms : Number.NaN;
        }
      }),
    );
    const seconds = (performance.now() - start) / 1000;
    return {
      clients,
      requests: total,
      seconds,
      throughput: total / seconds,
      computeMs,
      requestBytes: packMessage(request).length,
      roundTripMs: percentiles(roundTrips),
      overheadMs: percentiles(roundTrips.map((t) => t - computeMs)),
      serverInferMs: percentiles(inferTimes),
    };
  } finally {
    await Promise.all(connections.map((client) => client.close()));
    await server.close();
  }
}

/** A plain-text table of load-test results, one row each. */
export function formatLoadTestTable(results: readonly LoadTestResult[]): string {
  const header = [
    'clients',
    'requests',
    'req/s',
    'compute ms',
    'rtt p50',
    'rtt p99',
    'overhead p50',
    'overhead p99',
  ];
  const rows = results.map((r) => [
    String(r.clients),
    String(r.requests),
    r.throughput.toFixed(0),
    r.computeMs.toFixed(1),
    r.roundTripMs.p50.toFixed(2),
    r.roundTripMs.p99.toFixed(2),
    r.overheadMs.p50.toFixed(2),
    r.overheadMs.p99.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, i) => cell.padStart(widths[i])).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
