/**
 * openpi's `WebsocketPolicyServer` (openpi/serving/websocket_policy_server.py) on `ws`:
 * - on connect the server sends one binary frame, `packb(metadata)`;
 * - then, per binary frame: unpack → `policy.infer` → one binary frame with the outputs plus
 *   `server_timing: {infer_ms, prev_total_ms}` (`prev_total_ms` from the second request on);
 * - any error while handling a frame: one TEXT frame with the error and its stack, then close code 1011,
 *   reason "Internal server error. Traceback included in previous frame."; other connections carry on;
 * - `GET /healthz` answers 200 `OK\n`; no permessage-deflate (openpi serves with `compression=None`).
 * Differences, by design: the default host is 127.0.0.1 (openpi: 0.0.0.0); non-WebSocket requests to
 * other paths get 404 (openpi: 426); frames above `maxPayloadBytes` are refused by `ws` from the frame
 * header with close code 1009 (Message Too Big) and no text frame (openpi: no limit).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { ServeError } from './errors.js';
import type { InferencePolicy } from './inference-policy.js';
import { packMessage, unpackMessage } from './msgpack-numpy.js';
import { Float64 } from './ndarray.js';

/** The close code openpi's server sends after a text error frame (RFC 6455 "Internal Error"). */
export const CLOSE_INTERNAL_ERROR = 1011;
/** The close code `ws` sends for a frame above `maxPayloadBytes` (RFC 6455 "Message Too Big"). */
export const CLOSE_MESSAGE_TOO_BIG = 1009;
/** The close reason openpi's server sends with code 1011. */
export const INTERNAL_ERROR_REASON = 'Internal server error. Traceback included in previous frame.';

const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;
// Frames read ahead of the one being handled before the socket stops reading (backpressure).
const MAX_QUEUED_FRAMES = 8;
const SHUTDOWN_GRACE_MS = 1000;

/** Options of `servePolicy`. */
export interface ServePolicyOptions {
  /** Interface to bind; default `127.0.0.1` (loopback only). Use `0.0.0.0` to serve other machines, as openpi does. */
  readonly host?: string;
  /** TCP port; default 8000 (openpi's); 0 picks a free one. */
  readonly port?: number;
  /** Largest accepted frame; default 64 MiB. A larger frame closes the connection with 1009. */
  readonly maxPayloadBytes?: number;
  /** Replaces `policy.metadata` as the first frame. */
  readonly metadata?: Record<string, unknown>;
  /** Called on each decoded observation before `infer`; throwing rejects the frame like any other error. */
  readonly validate?: (observation: Record<string, unknown>) => void | Promise<void>;
  /** Told of every error that closed a connection (for logging); the server itself stays silent. */
  readonly onError?: (error: Error) => void;
}

/** Counters of a running server. */
export interface ServerStats {
  /** Connections open now. */
  readonly openConnections: number;
  /** Connections accepted since start. */
  readonly totalConnections: number;
  /** Replies sent. */
  readonly requests: number;
  /** Frames that failed (each closed its connection with 1011), plus oversize frames and socket errors. */
  readonly errors: number;
  /** Replies computed for a client that had already gone. */
  readonly droppedReplies: number;
}

/** A running policy server. */
export interface PolicyServer {
  /** `ws://host:port`, with a wildcard host replaced by loopback. */
  readonly url: string;
  readonly port: number;
  /** Live counters. */
  readonly stats: ServerStats;
  /** Closes every connection (code 1001) and stops listening. */
  close(): Promise<void>;
}

interface MutableStats {
  openConnections: number;
  totalConnections: number;
  requests: number;
  errors: number;
  droppedReplies: number;
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describeMessage(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'bin';
  return typeof value === 'object' ? (value.constructor?.name ?? 'object') : `a ${typeof value}`;
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return `Error: ${String(error)}`;
}

function answerHttp(request: IncomingMessage, response: ServerResponse): void {
  const path = new URL(request.url ?? '/', 'http://localhost').pathname;
  if (path === '/healthz' && (request.method === 'GET' || request.method === 'HEAD')) {
    response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('OK\n');
  } else {
    response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found\n');
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/** Serves `policy` over openpi's WebSocket protocol (see the module comment); resolves once listening. */
export async function servePolicy(
  policy: InferencePolicy,
  options: ServePolicyOptions = {},
): Promise<PolicyServer> {
  const host = options.host ?? '127.0.0.1';
  const maxPayload = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (!Number.isSafeInteger(maxPayload) || maxPayload < 1) {
    throw new ServeError(`servePolicy: maxPayloadBytes must be a positive integer, got ${maxPayload}`);
  }
  const metadataFrame = packMessage(options.metadata ?? policy.metadata ?? {});
  const stats: MutableStats = {
    openConnections: 0,
    totalConnections: 0,
    requests: 0,
    errors: 0,
    droppedReplies: 0,
  };
  const report = (error: unknown): void => {
    options.onError?.(error instanceof Error ? error : new ServeError(String(error)));
  };

  const httpServer = createServer(answerHttp);
  const wss = new WebSocketServer({ server: httpServer, maxPayload, perMessageDeflate: false });
  // `ws` re-emits the HTTP server's errors here; listen errors are handled below, later ones reported.
  wss.on('error', report);
  wss.on('connection', (socket) => serveConnection(socket, policy, metadataFrame, options, stats, report));

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port ?? 8000, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const port = (httpServer.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      const stragglers = setTimeout(() => {
        for (const client of wss.clients) client.terminate();
      }, SHUTDOWN_GRACE_MS);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      clearTimeout(stragglers);
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      });
    })();
    return closing;
  };

  return { url: `ws://${urlHost(host)}:${port}`, port, stats, close };
}

function serveConnection(
  socket: WebSocket,
  policy: InferencePolicy,
  metadataFrame: Uint8Array,
  options: ServePolicyOptions,
  stats: MutableStats,
  report: (error: unknown) => void,
): void {
  stats.openConnections++;
  stats.totalConnections++;
  const queue: { data: RawData; isBinary: boolean }[] = [];
  let busy = false;
  let failed = false;
  let loopStart = performance.now();
  let prevTotalMs: number | undefined;

  const handleFrame = async (data: RawData, isBinary: boolean): Promise<void> => {
    if (!isBinary) throw new ServeError('expected a binary msgpack frame, got a text frame');
    const observation = unpackMessage(toBytes(data));
    if (!isRecord(observation)) {
      throw new ServeError(`expected a msgpack map of observations, got ${describeMessage(observation)}`);
    }
    await options.validate?.(observation);
    const inferStart = performance.now();
    const outputs = await policy.infer(observation);
    const inferMs = performance.now() - inferStart;
    if (!isRecord(outputs))
      throw new ServeError(`policy.infer must return a dict, got ${describeMessage(outputs)}`);
    // As openpi: timings are Python floats, so they always travel as float64.
    const timing: Record<string, Float64> = { infer_ms: new Float64(inferMs) };
    if (prevTotalMs !== undefined) timing.prev_total_ms = new Float64(prevTotalMs);
    const reply = packMessage({ ...outputs, server_timing: timing });
    if (socket.readyState !== WebSocket.OPEN) {
      stats.droppedReplies++;
      return;
    }
    socket.send(reply);
    stats.requests++;
    // openpi's total runs from waiting for a request to handing over its reply.
    const now = performance.now();
    prevTotalMs = now - loopStart;
    loopStart = now;
  };

  const fail = (error: unknown): void => {
    failed = true;
    queue.length = 0;
    stats.errors++;
    report(error);
    if (socket.readyState !== WebSocket.OPEN) return;
    socket.send(errorText(error));
    socket.close(CLOSE_INTERNAL_ERROR, INTERNAL_ERROR_REASON);
  };

  const pump = async (): Promise<void> => {
    busy = true;
    while (queue.length > 0 && !failed) {
      const frame = queue.shift()!;
      if (socket.isPaused && queue.length < MAX_QUEUED_FRAMES) socket.resume();
      try {
        await handleFrame(frame.data, frame.isBinary);
      } catch (error) {
        fail(error);
      }
    }
    busy = false;
  };

  socket.on('message', (data, isBinary) => {
    if (failed) return;
    queue.push({ data, isBinary });
    if (queue.length >= MAX_QUEUED_FRAMES) socket.pause();
    if (!busy) void pump();
  });
  // Receiver errors (oversize or malformed frames) arrive here; `ws` has already started closing.
  socket.on('error', (error) => {
    stats.errors++;
    report(error);
  });
  socket.on('close', () => {
    stats.openConnections--;
    failed = true;
    queue.length = 0;
  });

  socket.send(metadataFrame);
  loopStart = performance.now();
}
