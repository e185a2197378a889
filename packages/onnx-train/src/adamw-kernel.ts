import { ADAMW_WASM_BASE64 } from './adamw-wasm.generated.js';

/**
 * AdamW's moments, kept in WebAssembly memory so that the SIMD update (src/adamw.wat) reads them in place,
 * with a scratch area that each float32 parameter and its gradient are copied into for the update. The
 * arithmetic is the same as the TypeScript loop in optim.ts, so either path gives bit-identical results.
 */

/** Hyper-parameters of one AdamW step, with the bias corrections folded in. */
export interface AdamWCoefficients {
  beta1: number;
  beta2: number;
  eps: number;
  /** `1 - lr · weightDecay`. */
  decay: number;
  /** `lr / (1 - beta1^t)`. */
  stepSize: number;
  /** `1 / (1 - beta2^t)`. */
  invC2: number;
}

// The WebAssembly API as used here (this package's TypeScript lib has no DOM types).
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: unknown };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface KernelExports {
  memory: WasmMemory;
  allFinite(g: number, n: number): number;
  allFinite64(g: number, n: number): number;
  adamw: AdamWKernel;
  adamwGrad64: AdamWKernel;
}

type AdamWKernel = (
  p: number,
  g: number,
  m: number,
  v: number,
  n: number,
  beta1: number,
  beta2: number,
  b1c: number,
  b2c: number,
  eps: number,
  decay: number,
  stepSize: number,
  invC2: number,
) => void;

const PAGE = 65536;
/** Moments past this many bytes stay in ordinary arrays (wasm32 memory ends at 4 GiB). */
const WASM_MOMENT_BUDGET = 2 ** 31;

let compiled: object | null | undefined;

/** The compiled module, or null where this runtime lacks WebAssembly SIMD. */
function wasmModule(): object | null {
  if (compiled === undefined) {
    try {
      compiled = new wasm.Module(Buffer.from(ADAMW_WASM_BASE64, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** Where one parameter's moments live: at a byte offset of the WebAssembly memory, or in plain arrays. */
type MomentSlot = { offset: number; length: number } | { m: Float64Array; v: Float64Array };

/** AdamW moments by parameter name, and the update of one parameter. */
export class AdamWMoments {
  private readonly slots = new Map<string, MomentSlot>();
  private readonly exports: KernelExports | null;
  /** Bytes of WebAssembly memory taken by moments; the scratch area starts here. */
  private used = 0;

  constructor() {
    const module = wasmModule();
    this.exports = module === null ? null : (new wasm.Instance(module).exports as KernelExports);
  }

  /** Names with moments. */
  names(): IterableIterator<string> {
    return this.slots.keys();
  }

  clear(): void {
    this.slots.clear();
    this.used = 0;
  }

  /**
   * Makes room for zeroed moments of each `[name, length]` not yet present, and for a scratch area that
   * holds the largest float32 parameter and its gradient. Call before {@link update}, which never grows
   * memory (growing detaches every view of it).
   */
  reserve(entries: Iterable<readonly [string, number]>, scratchLength: number): void {
    for (const [name, length] of entries) {
      if (!this.slots.has(name)) this.slots.set(name, this.allocate(length));
    }
    // Scratch: the parameter (float32), then its gradient (float32 or float64) at an 8-byte boundary.
    if (this.exports !== null) this.ensureBytes(this.used + 12 * scratchLength + 8);
  }

  /** Views (or the arrays) of one parameter's moments; valid until the next {@link reserve} or {@link set}. */
  get(name: string): { m: Float64Array; v: Float64Array } | undefined {
    const slot = this.slots.get(name);
    if (slot === undefined) return undefined;
    if ('m' in slot) return slot;
    const buffer = this.exports!.memory.buffer;
    return {
      m: new Float64Array(buffer, slot.offset, slot.length),
      v: new Float64Array(buffer, slot.offset + 8 * slot.length, slot.length),
    };
  }

  /** Stores copies of given moments (restoring a checkpoint). */
  set(name: string, m: Float64Array, v: Float64Array): void {
    if (!this.slots.has(name)) this.slots.set(name, this.allocate(m.length));
    const views = this.get(name)!;
    views.m.set(m);
    views.v.set(v);
  }

  /**
   * Whether {@link updateFloat32} runs for this parameter: float32 parameter, float32 or float64 gradient
   * (accumulated gradients are float64), moments in WebAssembly memory.
   */
  fast(name: string, p: ArrayLike<number>, g: ArrayLike<number>): boolean {
    const slot = this.slots.get(name);
    return (
      slot !== undefined &&
      !('m' in slot) &&
      p instanceof Float32Array &&
      (g instanceof Float32Array || g instanceof Float64Array)
    );
  }

  /**
   * Checks `g` (length of `p`) and, when every entry is finite, applies one AdamW update to `p` in place.
   * Returns false, leaving everything untouched, when `g` holds a NaN or an infinity.
   */
  updateFloat32(
    name: string,
    p: Float32Array,
    g: Float32Array | Float64Array,
    c: AdamWCoefficients,
  ): boolean {
    const slot = this.slots.get(name) as { offset: number; length: number };
    const k = this.exports!;
    const n = p.length;
    const scratchP = this.used;
    const scratchG = this.used + 8 * Math.ceil(n / 2);
    const buffer = k.memory.buffer;
    const wide = g instanceof Float64Array;
    (wide ? new Float64Array(buffer, scratchG, n) : new Float32Array(buffer, scratchG, n)).set(g);
    if ((wide ? k.allFinite64(scratchG, n) : k.allFinite(scratchG, n)) !== 1) return false;
    const pView = new Float32Array(buffer, scratchP, n);
    pView.set(p);
    (wide ? k.adamwGrad64 : k.adamw)(
      scratchP,
      scratchG,
      slot.offset,
      slot.offset + 8 * n,
      n,
      c.beta1,
      c.beta2,
      1 - c.beta1,
      1 - c.beta2,
      c.eps,
      c.decay,
      c.stepSize,
      c.invC2,
    );
    p.set(pView);
    return true;
  }

  private allocate(length: number): MomentSlot {
    const bytes = 16 * length;
    if (this.exports === null || this.used + bytes > WASM_MOMENT_BUDGET) {
      return { m: new Float64Array(length), v: new Float64Array(length) };
    }
    const offset = this.used;
    this.ensureBytes(offset + bytes);
    // Memory from a previous clear() may hold old values.
    new Uint8Array(this.exports.memory.buffer, offset, bytes).fill(0);
    this.used += bytes;
    return { offset, length };
  }

  private ensureBytes(bytes: number): void {
    const memory = this.exports!.memory;
    const missing = bytes - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / PAGE));
  }
}
