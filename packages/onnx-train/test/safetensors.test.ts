import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bfloat16ToFloat32,
  float16ToFloat32,
  float32ToBfloat16,
  float32ToFloat16,
  fromBfloat16Bits,
  fromFloat16Bits,
  toBfloat16Bits,
  toFloat16Bits,
} from '../src/half-precision.js';
import {
  decodeSafetensors,
  encodeSafetensors,
  halfTensor,
  type SafetensorsDtype,
  type StoredTensor,
  tensorToFloat32,
} from '../src/safetensors.js';

const FIXTURE = resolve(import.meta.dirname, '../../../../shared/fixtures/safetensors-python.safetensors');
const EXPECTED = FIXTURE.replace(/\.safetensors$/, '.expected.json');

interface Expected {
  dtype: string;
  shape: number[];
  values: number[];
}

function fixtureAvailable(): boolean {
  if (existsSync(FIXTURE) && existsSync(EXPECTED)) return true;
  console.warn(`[notice] ${FIXTURE} not found: skipping the Python safetensors tests (CI has ../shared).`);
  return false;
}

/** torch dtype names in the expected JSON → safetensors names. */
const TORCH_TO_ST: Record<string, SafetensorsDtype> = {
  float32: 'F32',
  float16: 'F16',
  bfloat16: 'BF16',
  float64: 'F64',
  int64: 'I64',
  int32: 'I32',
  uint8: 'U8',
  bool: 'BOOL',
};

function numbers(t: StoredTensor): number[] {
  if (t.dtype === 'F16' || t.dtype === 'BF16') return Array.from(tensorToFloat32(t));
  if (t.dtype === 'I64' || t.dtype === 'U64') return Array.from(t.data, (v) => Number(v));
  return Array.from(t.data);
}

describe.skipIf(!fixtureAvailable())('a file written by Python safetensors 0.8.0', () => {
  const bytes = fixtureAvailable() ? readFileSync(FIXTURE) : new Uint8Array();
  const expected: Record<string, Expected> = fixtureAvailable()
    ? JSON.parse(readFileSync(EXPECTED, 'utf8'))
    : {};

  it('reads every tensor (F32, F16, BF16, F64, I64, I32, U8, BOOL, a 0-d scalar) to the expected values', () => {
    const { tensors } = decodeSafetensors(bytes, 'python.safetensors');
    expect([...tensors.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, want] of Object.entries(expected)) {
      const t = tensors.get(name)!;
      expect(t.dtype, name).toBe(TORCH_TO_ST[want.dtype]);
      expect(t.shape, name).toEqual(want.shape);
      expect(numbers(t), name).toEqual(want.values);
    }
    expect(tensors.get('scalar')!.shape).toEqual([]);
    expect(tensors.get('i64')!.data).toBeInstanceOf(BigInt64Array);
    expect(tensors.get('i32')!.data).toBeInstanceOf(Int32Array);
    expect(tensors.get('bool')!.data).toBeInstanceOf(Uint8Array);
  });

  it('reads the metadata', () => {
    expect(decodeSafetensors(bytes).metadata).toEqual({
      note: 'written by Python safetensors',
      format: 'pt',
    });
  });

  it('up-casts F16 and BF16 exactly and re-encodes the expected values to the same bits Python wrote', () => {
    const { tensors } = decodeSafetensors(bytes);
    for (const [name, dtype] of [
      ['f16', 'F16'],
      ['bf16', 'BF16'],
    ] as const) {
      const stored = tensors.get(name)!;
      expect(stored.dtype).toBe(dtype);
      expect(Array.from(tensorToFloat32(stored))).toEqual(expected[name].values);
      const ours = halfTensor(expected[name].values, expected[name].shape, dtype);
      expect(Array.from(ours.data)).toEqual(Array.from(stored.data as Uint16Array));
    }
  });

  it('writes back a file that reads to the same tensors and metadata', () => {
    const first = decodeSafetensors(bytes);
    const again = decodeSafetensors(encodeSafetensors(first.tensors, first.metadata));
    expect(again.metadata).toEqual(first.metadata);
    for (const [name, t] of first.tensors) {
      const u = again.tensors.get(name)!;
      expect(u.dtype).toBe(t.dtype);
      expect(u.shape).toEqual(t.shape);
      expect(Buffer.from(u.data.buffer).equals(Buffer.from(t.data.buffer))).toBe(true);
    }
  });
});

describe('binary16 (F16) conversion', () => {
  it('maps known values to their bit patterns (round to nearest, ties to even)', () => {
    const table: Array<[number, number]> = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.1, 0x2e66],
      [65504, 0x7bff], // largest finite
      [65519.99, 0x7bff],
      [65520, 0x7c00], // halfway to 2^16: ties to even is Infinity
      [1e6, 0x7c00],
      [-1e6, 0xfc00],
      [Number.POSITIVE_INFINITY, 0x7c00],
      [Number.NEGATIVE_INFINITY, 0xfc00],
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [1023 * 2 ** -24, 0x03ff], // largest subnormal
      [2 ** -25, 0x0000], // half the smallest subnormal: tie to even (0)
      [3 * 2 ** -26, 0x0001], // 0.75 units rounds up
      [3 * 2 ** -25, 0x0002], // 1.5 units: tie to even (2)
      [5 * 2 ** -25, 0x0002], // 2.5 units: tie to even (2)
      [1 + 2 ** -11, 0x3c00], // tie between 0x3c00 and 0x3c01: even
      [1 + 3 * 2 ** -11, 0x3c02], // tie between 0x3c01 and 0x3c02: even
      [2047 * 2 ** -25, 0x0400], // rounds up out of the subnormals into the smallest normal
    ];
    for (const [x, bits] of table) {
      expect(toFloat16Bits(x).toString(16), String(x)).toBe(bits.toString(16));
    }
    expect(fromFloat16Bits(0x7bff)).toBe(65504);
    expect(fromFloat16Bits(0x0001)).toBe(2 ** -24);
    expect(Object.is(fromFloat16Bits(0x8000), -0)).toBe(true);
    expect(fromFloat16Bits(0xfc00)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('keeps NaN a NaN', () => {
    const h = toFloat16Bits(Number.NaN);
    expect(h & 0x7c00).toBe(0x7c00);
    expect(h & 0x3ff).not.toBe(0);
    expect(fromFloat16Bits(h)).toBeNaN();
    expect(fromFloat16Bits(0x7e00)).toBeNaN();
    expect(float16ToFloat32([0x7c01])[0]).toBeNaN();
  });

  it('round-trips all 65,536 bit patterns through float32 (NaNs stay NaN)', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = float32ToFloat16(float16ToFloat32(all));
    for (let h = 0; h < 65536; h++) {
      const nan = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (nan) expect(fromFloat16Bits(back[h])).toBeNaN();
      else if (back[h] !== h) expect.fail(`0x${h.toString(16)} came back as 0x${back[h].toString(16)}`);
    }
  });

  it('picks the nearest representable value, ties to the even pattern (property)', () => {
    fc.assert(
      fc.property(fc.float({ min: -70000, max: 70000, noNaN: true }), (x) => {
        const h = toFloat16Bits(x);
        const v = fromFloat16Bits(h);
        const mag = h & 0x7fff;
        // Neighbouring patterns of the same sign (Infinity's lower neighbour is 65504).
        const below = mag > 0 ? fromFloat16Bits((h & 0x8000) | (mag - 1)) : v;
        const above = mag < 0x7c00 ? fromFloat16Bits((h & 0x8000) | (mag + 1)) : v;
        if (Number.isFinite(v)) {
          const err = Math.abs(v - x);
          expect(err).toBeLessThanOrEqual(Math.abs(below - x));
          expect(err).toBeLessThanOrEqual(Math.abs(above - x));
          if (err === Math.abs(below - x) && below !== v) expect(mag & 1).toBe(0);
          if (err === Math.abs(above - x) && above !== v) expect(mag & 1).toBe(0);
        } else {
          expect(Math.abs(x)).toBeGreaterThanOrEqual(65520);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe('bfloat16 (BF16) conversion', () => {
  it('maps known values to their bit patterns (round to nearest, ties to even)', () => {
    const table: Array<[number, number]> = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3f80],
      [-2, 0xc000],
      [Math.PI, 0x4049], // 3.140625
      [1 + 2 ** -8, 0x3f80], // tie: even
      [1 + 3 * 2 ** -8, 0x3f82], // tie: even (up)
      [1 + 2 ** -8 + 2 ** -20, 0x3f81], // just above the tie
      [3.4028234663852886e38, 0x7f80], // float32 max rounds to Infinity
      [Number.POSITIVE_INFINITY, 0x7f80],
      [Number.NEGATIVE_INFINITY, 0xff80],
      [2 ** -126, 0x0080], // smallest float32 normal
      [2 ** -133, 0x0001], // smallest bf16 subnormal
      [2 ** -134, 0x0000], // half of it: tie to even (0)
      [3 * 2 ** -134, 0x0002], // 1.5 units: tie to even (2)
    ];
    for (const [x, bits] of table) {
      expect(toBfloat16Bits(x).toString(16), String(x)).toBe(bits.toString(16));
    }
    expect(fromBfloat16Bits(0x4049)).toBe(3.140625);
    expect(Object.is(fromBfloat16Bits(0x8000), -0)).toBe(true);
    expect(fromBfloat16Bits(0xff80)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('keeps NaN a NaN (quiet)', () => {
    const b = toBfloat16Bits(Number.NaN);
    expect(b & 0x7f80).toBe(0x7f80);
    expect(b & 0x40).toBe(0x40);
    expect(fromBfloat16Bits(b)).toBeNaN();
    // A signalling float32 NaN whose payload sits only in the low half must not become Infinity.
    const f = new Float32Array(new Uint32Array([0x7f800001]).buffer)[0];
    expect(fromBfloat16Bits(toBfloat16Bits(f))).toBeNaN();
  });

  it('round-trips all 65,536 bit patterns through float32 (NaNs stay NaN)', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = float32ToBfloat16(bfloat16ToFloat32(all));
    for (let b = 0; b < 65536; b++) {
      const nan = (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0;
      if (nan) expect(fromBfloat16Bits(back[b])).toBeNaN();
      else if (back[b] !== b) expect.fail(`0x${b.toString(16)} came back as 0x${back[b].toString(16)}`);
    }
  });
});

describe('writing half precision', () => {
  it('writes F16 and BF16 tensors that read back as their rounded values', () => {
    const values = [0.1, -1.5, 65504, 1e-8, 3.3];
    const bytes = encodeSafetensors(
      new Map<string, StoredTensor>([
        ['h', halfTensor(values, [5], 'F16')],
        ['b', halfTensor(values, [5, 1], 'BF16')],
      ]),
    );
    const header = JSON.parse(
      new TextDecoder().decode(
        bytes.subarray(8, 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true))),
      ),
    );
    expect(header.h).toEqual({ dtype: 'F16', shape: [5], data_offsets: [0, 10] });
    expect(header.b).toEqual({ dtype: 'BF16', shape: [5, 1], data_offsets: [10, 20] });
    const { tensors } = decodeSafetensors(bytes);
    expect(Array.from(tensorToFloat32(tensors.get('h')!))).toEqual(
      values.map((v) => fromFloat16Bits(toFloat16Bits(v))),
    );
    expect(Array.from(tensorToFloat32(tensors.get('b')!))).toEqual(
      values.map((v) => fromBfloat16Bits(toBfloat16Bits(v))),
    );
  });

  it('up-casts every dtype to float32 on request', () => {
    const t = (tensor: StoredTensor) => Array.from(tensorToFloat32(tensor));
    expect(t({ dtype: 'F64', shape: [2], data: Float64Array.of(0.1, 2) })).toEqual([Math.fround(0.1), 2]);
    expect(t({ dtype: 'I64', shape: [2], data: BigInt64Array.of(-3n, 5n) })).toEqual([-3, 5]);
    expect(t({ dtype: 'U64', shape: [1], data: BigUint64Array.of(7n) })).toEqual([7]);
    expect(t({ dtype: 'I8', shape: [1], data: Int8Array.of(-4) })).toEqual([-4]);
    expect(t({ dtype: 'BOOL', shape: [2], data: Uint8Array.of(1, 0) })).toEqual([1, 0]);
    const f32 = Float32Array.of(1, 2);
    expect(tensorToFloat32({ dtype: 'F32', shape: [2], data: f32 })).toBe(f32);
  });

  it('rejects unsupported dtypes and malformed entries by name', () => {
    const withHeader = (header: object) => {
      let json = JSON.stringify(header);
      while ((8 + json.length) % 8 !== 0) json += ' ';
      const out = new Uint8Array(8 + json.length + 8);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(new TextEncoder().encode(json), 8);
      return out;
    };
    expect(() =>
      decodeSafetensors(withHeader({ w: { dtype: 'F8_E4M3', shape: [1], data_offsets: [0, 1] } }), 'f'),
    ).toThrow(/f: w has unsupported dtype F8_E4M3/);
    expect(() =>
      decodeSafetensors(withHeader({ w: { dtype: 'F16', shape: [3], data_offsets: [0, 4] } }), 'f'),
    ).toThrow(/f: w has inconsistent offsets \[0,4\] for F16\[3\]/);
    expect(() =>
      decodeSafetensors(withHeader({ w: { dtype: 'F16', shape: [-1], data_offsets: [0, 2] } }), 'f'),
    ).toThrow(/invalid shape/);
  });
});
