/**
 * openpi's `WebsocketClientPolicy` (openpi_client/websocket_client_policy.py) on `ws`: connect, read the
 * metadata frame, then one request at a time: send `packb(obs)`, read one frame; a text frame is the
 * server's error. No permessage-deflate, as openpi (`compression=None`).
 */
import { type RawData, WebSocket } from 'ws';
import { ServeError } from './errors.js';
import { observationToLibero, replyToActionChunk } from './libero.js';
import { packMessage, unpackMessage } from './msgpack-numpy.js';
import type { Policy } from './policy.js';

/** Options of `WebsocketPolicyClient.connect`. */
export interface ConnectOptions {
  /** Time allowed for each connection attempt, handshake and metadata frame included; default 10 000 ms. */
  readonly timeoutMs?: number;
  /** Attempts to make when connecting fails (refused, reset, timed out) and the pause between them; default one attempt. */
  readonly retry?: { readonly attempts?: number; readonly delayMs?: number };
  /** Largest reply accepted; default 256 MiB. */
  readonly maxPayloadBytes?: number;
  /** Time allowed for each reply; default unlimited. On expiry the connection is dropped. */
  readonly requestTimeoutMs?: number;
}

interface Pending {
  resolve(value: Record<string, unknown>): void;
  reject(error: Error): void;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024 * 1024;

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

function toText(data: RawData): string {
  return Buffer.from(toBytes(data)).toString('utf8');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function closeText(code: number, reason: string): string {
  const hint = code === 1009 ? ", the message exceeded the peer's size limit" : '';
  return `code ${code}${reason ? ` "${reason}"` : ''}${hint}`;
}

/** Adds `ws://` when `url` has no scheme, as openpi's client does with a bare host. */
export function normalizePolicyUrl(url: string): string {
  return /^wss?:\/\//.test(url) ? url : `ws://${url}`;
}

function openOnce(url: string, options: ConnectOptions): Promise<{ socket: WebSocket; metadata: unknown }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      perMessageDeflate: false,
      maxPayload: options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES,
      handshakeTimeout: timeoutMs,
    });
    const finish = (error: Error | undefined, metadata?: unknown): void => {
      clearTimeout(timer);
      socket.off('message', onMessage);
      socket.off('error', onError);
      socket.off('close', onClose);
      if (error) {
        socket.on('error', () => undefined);
        socket.terminate();
        reject(error);
      } else resolve({ socket, metadata });
    };
    const onMessage = (data: RawData, isBinary: boolean): void => {
      if (!isBinary) {
        finish(new ServeError(`Error in inference server:\n${toText(data)}`));
        return;
      }
      try {
        finish(undefined, unpackMessage(toBytes(data)));
      } catch (error) {
        finish(new ServeError(`${url}: bad metadata frame: ${(error as Error).message}`));
      }
    };
    const onError = (error: Error): void =>
      finish(new ServeError(`${url}: cannot connect: ${error.message}`));
    const onClose = (code: number, reason: Buffer): void =>
      finish(
        new ServeError(`${url}: closed before sending metadata (${closeText(code, reason.toString())})`),
      );
    const timer = setTimeout(
      () => finish(new ServeError(`${url}: no metadata frame within ${timeoutMs} ms`)),
      timeoutMs,
    );
    socket.on('message', onMessage);
    socket.on('error', onError);
    socket.on('close', onClose);
  });
}

/** A connection to an openpi-style policy server. */
export class WebsocketPolicyClient {
  /** The server's metadata (its first frame). */
  readonly metadata: Record<string, unknown>;
  /** The server's address. */
  readonly url: string;
  readonly #socket: WebSocket;
  readonly #requestTimeoutMs: number | undefined;
  #pending: Pending | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  #closedBecause: string | undefined;
  #serverError: string | undefined;
  #closed: Promise<void>;

  private constructor(
    url: string,
    socket: WebSocket,
    metadata: Record<string, unknown>,
    options: ConnectOptions,
  ) {
    this.url = url;
    this.metadata = metadata;
    this.#socket = socket;
    this.#requestTimeoutMs = options.requestTimeoutMs;
    this.#closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('message', (data, isBinary) => this.#onMessage(data, isBinary));
    socket.on('error', (error) => {
      this.#closedBecause ??= `socket error: ${error.message}`;
    });
    socket.on('close', (code, reason) => {
      this.#closedBecause ??= `closed (${closeText(code, reason.toString())})`;
      this.#settle(new ServeError(this.#closedMessage('while waiting for a reply')));
    });
  }

  /**
   * Connects to `url` (`ws://host:port`, or a bare `host:port`) and reads the metadata frame.
   * Retries failed attempts as `options.retry` says; rejects with the last attempt's error.
   */
  static async connect(url: string, options: ConnectOptions = {}): Promise<WebsocketPolicyClient> {
    const target = normalizePolicyUrl(url);
    const attempts = Math.max(1, options.retry?.attempts ?? 1);
    const delayMs = options.retry?.delayMs ?? 1000;
    for (let attempt = 1; ; attempt++) {
      try {
        const { socket, metadata } = await openOnce(target, options);
        if (!isRecord(metadata)) {
          socket.terminate();
          throw new ServeError(`${target}: metadata must be a map, got ${typeof metadata}`);
        }
        return new WebsocketPolicyClient(target, socket, metadata, options);
      } catch (error) {
        const serverRefused = (error as Error).message.startsWith('Error in inference server');
        if (attempt >= attempts || serverRefused) throw error;
        await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
    }
  }

  /**
   * Sends one observation dict and resolves with the server's reply dict (with `server_timing`).
   * Calls made while a request is in flight wait their turn (first in, first out). Rejects with the
   * server's message when it answers with a text frame, and when the connection closes.
   */
  infer(observation: Record<string, unknown>): Promise<Record<string, unknown>> {
    const result = this.#tail.then(() => this.#request(observation));
    this.#tail = result.catch(() => undefined);
    return result;
  }

  /** Closes the connection (code 1000); pending and queued requests reject. */
  async close(): Promise<void> {
    this.#closedBecause ??= 'closed by the client';
    if (this.#socket.readyState === WebSocket.OPEN || this.#socket.readyState === WebSocket.CONNECTING) {
      this.#socket.close(1000);
      const timer = setTimeout(() => this.#socket.terminate(), 1000);
      await this.#closed;
      clearTimeout(timer);
    }
  }

  #closedMessage(context: string): string {
    const server = this.#serverError ? `; the server said:\n${this.#serverError}` : '';
    return `${this.url}: connection ${this.#closedBecause ?? 'closed'} ${context}${server}`;
  }

  async #request(observation: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (this.#socket.readyState !== WebSocket.OPEN) {
      // Wait for the close event so the error can carry the close code and reason.
      await this.#closed;
      throw new ServeError(this.#closedMessage('before the request was sent'));
    }
    const frame = packMessage(observation);
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (this.#requestTimeoutMs !== undefined) {
        const limit = this.#requestTimeoutMs;
        timer = setTimeout(() => {
          this.#closedBecause ??= `dropped after a request timed out (${limit} ms)`;
          this.#settle(new ServeError(`${this.url}: no reply within ${limit} ms`));
          this.#socket.terminate();
        }, limit);
      }
      this.#pending = {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#socket.send(frame, (error) => {
        if (error) this.#settle(new ServeError(`${this.url}: sending the request failed: ${error.message}`));
      });
    });
  }

  #settle(outcome: Error | Record<string, unknown>): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = undefined;
    if (outcome instanceof Error) pending.reject(outcome);
    else pending.resolve(outcome);
  }

  #onMessage(data: RawData, isBinary: boolean): void {
    if (!isBinary) {
      // openpi: "we're expecting bytes; if the server sends a string, it's an error."
      this.#serverError = toText(data);
      this.#settle(new ServeError(`Error in inference server:\n${this.#serverError}`));
      return;
    }
    if (!this.#pending) return;
    let reply: unknown;
    try {
      reply = unpackMessage(toBytes(data));
    } catch (error) {
      this.#settle(new ServeError(`${this.url}: bad reply: ${(error as Error).message}`));
      return;
    }
    if (!isRecord(reply))
      this.#settle(new ServeError(`${this.url}: reply must be a map, got ${typeof reply}`));
    else this.#settle(reply);
  }
}

/** A `Policy` served by `WebsocketPolicyClient`, with the server's metadata. */
export interface RemotePolicy extends Policy {
  readonly metadata: Record<string, unknown>;
  close(): Promise<void>;
}

/**
 * Connects to an openpi-style server and wraps it as a `Policy`: each `act` sends the LIBERO keys
 * (`observation/image`, `observation/wrist_image`, `observation/state`, `prompt`) and reads `actions`
 * (float32 or float64 [horizon, 7]). `reset` is not needed: the prompt travels with every request.
 */
export async function remotePolicy(url: string, options: ConnectOptions = {}): Promise<RemotePolicy> {
  const client = await WebsocketPolicyClient.connect(url, options);
  return {
    metadata: client.metadata,
    act: async (observation) => replyToActionChunk(await client.infer(observationToLibero(observation))),
    close: () => client.close(),
  };
}
