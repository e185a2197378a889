import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packMessage, unpackMessage } from '../src/msgpack-numpy.js';
import { DTYPE_NAMES, type DType, dtypeItemSize, Float64, NdArray, NpScalar } from '../src/ndarray.js';

/**
 * Fixtures: the bytes Python's `msgpack.packb(obj, default=openpi pack_array)` writes, derived by hand
 * from the msgpack spec: fixmap 0x80|n, fixarray 0x90|n, fixstr 0xa0|n, bin8 `c4 len`, float64 `cb`,
 * true `c3`, nil `c0`, positive fixint 0x00–0x7f. numpy arrays are maps with BINARY keys in the order
 * __ndarray__, data, dtype, shape; the dtype value is a str.
 */
const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
const toHex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

// Binary keys (bin8: c4, length, ASCII).
const K_NDARRAY = 'c4 0b 5f 5f 6e 64 61 72 72 61 79 5f 5f'; // b"__ndarray__"
const K_NPGENERIC = 'c4 0d 5f 5f 6e 70 67 65 6e 65 72 69 63 5f 5f'; // b"__npgeneric__"
const K_DATA = 'c4 04 64 61 74 61'; // b"data"
const K_DTYPE = 'c4 05 64 74 79 70 65'; // b"dtype"
const K_SHAPE = 'c4 05 73 68 61 70 65'; // b"shape"
// dtype strings (fixstr of 3).
const F4 = 'a3 3c 66 34'; // "<f4"
const F8 = 'a3 3c 66 38'; // "<f8"
const U1 = 'a3 7c 75 31'; // "|u1"

// np.arange(12, dtype=np.uint8).reshape(2, 2, 3)
const IMAGE_HEX = `84 ${K_NDARRAY} c3 ${K_DATA} c4 0c 00 01 02 03 04 05 06 07 08 09 0a 0b ${K_DTYPE} ${U1} ${K_SHAPE} 93 02 02 03`;
const IMAGE = () =>
  NdArray.from(
    Uint8Array.from({ length: 12 }, (_, i) => i),
    [2, 2, 3],
  );

// np.array([1, -2, 0.5, 0.25, 0, 0, 0.125, -0.125]) (float64): IEEE 754 doubles, little-endian.
const STATE_HEX = `84 ${K_NDARRAY} c3 ${K_DATA} c4 40
  00 00 00 00 00 00 f0 3f   00 00 00 00 00 00 00 c0   00 00 00 00 00 00 e0 3f   00 00 00 00 00 00 d0 3f
  00 00 00 00 00 00 00 00   00 00 00 00 00 00 00 00   00 00 00 00 00 00 c0 3f   00 00 00 00 00 00 c0 bf
  ${K_DTYPE} ${F8} ${K_SHAPE} 91 08`;
const STATE = () => NdArray.from(new Float64Array([1, -2, 0.5, 0.25, 0, 0, 0.125, -0.125]));

// "pick up the bowl" (16 bytes, fixstr b0)
const PROMPT_HEX = 'b0 70 69 63 6b 20 75 70 20 74 68 65 20 62 6f 77 6c';

interface Fixture {
  readonly name: string;
  readonly value: () => unknown;
  readonly hex: string;
}

const FIXTURES: readonly Fixture[] = [
  {
    name: '{"actions": np.zeros((2, 2), np.float32)}',
    value: () => ({ actions: NdArray.zeros('float32', [2, 2]) }),
    hex: `81 a7 61 63 74 69 6f 6e 73
      84 c4 0b 5f 5f 6e 64 61 72 72 61 79 5f 5f c3
         c4 04 64 61 74 61 c4 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
         c4 05 64 74 79 70 65 a3 3c 66 34
         c4 05 73 68 61 70 65 92 02 02`,
  },
  { name: 'uint8 image [2, 2, 3]', value: IMAGE, hex: IMAGE_HEX },
  { name: 'float64 state [8]', value: STATE, hex: STATE_HEX },
  {
    name: '{"prompt": "pick up the bowl"}',
    value: () => ({ prompt: 'pick up the bowl' }),
    hex: `81 a6 70 72 6f 6d 70 74 ${PROMPT_HEX}`,
  },
  {
    name: 'nested dicts {"a": {"b": 1, "c": [1, 2.5, None, True]}, "d": "x"}',
    value: () => ({ a: { b: 1, c: [1, 2.5, null, true] }, d: 'x' }),
    hex: '82 a1 61 82 a1 62 01 a1 63 94 01 cb 40 04 00 00 00 00 00 00 c0 c3 a1 64 a1 78',
  },
  { name: 'Python float 0.5', value: () => 0.5, hex: 'cb 3f e0 00 00 00 00 00 00' },
  {
    name: 'Python float 1.0 (Float64 wrapper)',
    value: () => new Float64(1),
    hex: 'cb 3f f0 00 00 00 00 00 00',
  },
  { name: 'Python int 1', value: () => 1, hex: '01' },
  {
    name: 'np.float32(0.5): data is x.item(), a Python float',
    value: () => new NpScalar('float32', 0.5),
    hex: `83 ${K_NPGENERIC} c3 ${K_DATA} cb 3f e0 00 00 00 00 00 00 ${K_DTYPE} ${F4}`,
  },
  {
    name: 'np.int64(300)',
    value: () => new NpScalar('int64', 300),
    hex: `83 ${K_NPGENERIC} c3 ${K_DATA} cd 01 2c ${K_DTYPE} a3 3c 69 38`,
  },
  {
    name: 'np.bool_(True)',
    value: () => new NpScalar('bool', true),
    hex: `83 ${K_NPGENERIC} c3 ${K_DATA} c3 ${K_DTYPE} a3 7c 62 31`,
  },
  {
    name: 'np.array(3.5, np.float32) (0-d: shape is an empty array)',
    value: () => NdArray.from(new Float32Array([3.5]), []),
    hex: `84 ${K_NDARRAY} c3 ${K_DATA} c4 04 00 00 60 40 ${K_DTYPE} ${F4} ${K_SHAPE} 90`,
  },
  {
    name: 'np.array([True, False])',
    value: () => NdArray.bool(new Uint8Array([1, 0])),
    hex: `84 ${K_NDARRAY} c3 ${K_DATA} c4 02 01 00 ${K_DTYPE} a3 7c 62 31 ${K_SHAPE} 91 02`,
  },
  {
    name: 'np.array([1, -2], np.int64)',
    value: () => NdArray.from(new BigInt64Array([1n, -2n])),
    hex: `84 ${K_NDARRAY} c3 ${K_DATA} c4 10 01 00 00 00 00 00 00 00 fe ff ff ff ff ff ff ff ${K_DTYPE} a3 3c 69 38 ${K_SHAPE} 91 02`,
  },
  {
    name: 'LIBERO observation dict',
    value: () => ({
      'observation/image': IMAGE(),
      'observation/wrist_image': NdArray.from(new Uint8Array(12).fill(255), [2, 2, 3]),
      'observation/state': STATE(),
      prompt: 'pick up the bowl',
    }),
    hex: `84
      b1 6f 62 73 65 72 76 61 74 69 6f 6e 2f 69 6d 61 67 65 ${IMAGE_HEX}
      b7 6f 62 73 65 72 76 61 74 69 6f 6e 2f 77 72 69 73 74 5f 69 6d 61 67 65
        84 ${K_NDARRAY} c3 ${K_DATA} c4 0c ff ff ff ff ff ff ff ff ff ff ff ff ${K_DTYPE} ${U1} ${K_SHAPE} 93 02 02 03
      b1 6f 62 73 65 72 76 61 74 69 6f 6e 2f 73 74 61 74 65 ${STATE_HEX}
      a6 70 72 6f 6d 70 74 ${PROMPT_HEX}`,
  },
  { name: 'bytes b"\\x00\\x01"', value: () => new Uint8Array([0, 1]), hex: 'c4 02 00 01' },
  { name: 'empty dict', value: () => ({}), hex: '80' },
  { name: 'non-ASCII str "é"', value: () => 'é', hex: 'a2 c3 a9' },
];

describe('packMessage: byte-exact against hand-written fixtures', () => {
  for (const fixture of FIXTURES) {
    it(fixture.name, () => {
      expect(toHex(packMessage(fixture.value()))).toBe(toHex(hex(fixture.hex)));
    });
  }

  it('ints take the smallest format Python picks (unsigned for non-negative)', () => {
    const cases: [number | bigint, string][] = [
      [0, '00'],
      [127, '7f'],
      [128, 'cc 80'],
      [255, 'cc ff'],
      [256, 'cd 01 00'],
      [65535, 'cd ff ff'],
      [65536, 'ce 00 01 00 00'],
      [2 ** 32 - 1, 'ce ff ff ff ff'],
      [2 ** 32, 'cf 00 00 00 01 00 00 00 00'],
      [2n ** 64n - 1n, 'cf ff ff ff ff ff ff ff ff'],
      [-1, 'ff'],
      [-32, 'e0'],
      [-33, 'd0 df'],
      [-128, 'd0 80'],
      [-129, 'd1 ff 7f'],
      [-32768, 'd1 80 00'],
      [-32769, 'd2 ff ff 7f ff'],
      [-(2 ** 31), 'd2 80 00 00 00'],
      [-(2 ** 31) - 1, 'd3 ff ff ff ff 7f ff ff ff'],
      [-(2n ** 63n), 'd3 80 00 00 00 00 00 00 00'],
    ];
    for (const [value, expected] of cases)
      expect(toHex(packMessage(value)), String(value)).toBe(toHex(hex(expected)));
  });

  it('non-integral, non-safe and negative-zero numbers are float64', () => {
    expect(toHex(packMessage(-0))).toBe('cb8000000000000000');
    expect(toHex(packMessage(2 ** 53 + 2))).toBe('cb4340000000000001');
    expect(toHex(packMessage(Number.NaN))).toBe('cb7ff8000000000000');
  });

  it('switches to the wider length formats at the spec boundaries', () => {
    expect(toHex(packMessage('x'.repeat(31))).slice(0, 2)).toBe('bf');
    expect(toHex(packMessage('x'.repeat(32))).slice(0, 4)).toBe('d920');
    expect(toHex(packMessage('x'.repeat(256))).slice(0, 6)).toBe('da0100');
    expect(toHex(packMessage(Array(16).fill(0))).slice(0, 6)).toBe('dc0010');
    const sixteenKeys = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, i]));
    expect(toHex(packMessage(sixteenKeys)).slice(0, 6)).toBe('de0010');
    expect(toHex(packMessage(new Uint8Array(256))).slice(0, 6)).toBe('c50100');
    // A 224×224×3 image: 150528 = 0x24c00 bytes, so its data is bin32.
    const image = packMessage(NdArray.zeros('uint8', [224, 224, 3]));
    const dataAt = toHex(image).indexOf('c40464617461') / 2 + 6;
    expect(toHex(image.subarray(dataAt, dataAt + 5))).toBe('c600024c00');
    // Its shape dims 224 > 127 are uint8 (cc e0).
    expect(toHex(image).endsWith(toHex(hex(`${K_SHAPE} 93 cc e0 cc e0 03`)))).toBe(true);
  });

  it('rejects values Python could not receive, naming where', () => {
    expect(() => packMessage({ obs: { state: new Float32Array(8) } })).toThrow(
      /obs\/state.*Float32Array|Float32Array.*obs\/state/,
    );
    expect(() => packMessage({ obs: new Float32Array(8) })).toThrow(/NdArray\.from/);
    expect(() => packMessage({ f: () => 1 })).toThrow(/function at f/);
    expect(() => packMessage(new Date(0))).toThrow(/Date/);
    expect(() => packMessage(2n ** 64n)).toThrow(/64 bits/);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => packMessage(cyclic)).toThrow(/nesting deeper/);
  });
});

describe('unpackMessage: fixtures decode to the values they encode', () => {
  it('decodes arrays to NdArray with numpy dtypes and shapes', () => {
    const decoded = unpackMessage(hex(FIXTURES[0].hex)) as { actions: NdArray };
    expect(decoded.actions).toBeInstanceOf(NdArray);
    expect(decoded.actions.dtype).toBe('float32');
    expect(decoded.actions.shape).toEqual([2, 2]);
    expect(Array.from(decoded.actions.data as Float32Array)).toEqual([0, 0, 0, 0]);

    const image = unpackMessage(hex(IMAGE_HEX)) as NdArray<'uint8'>;
    expect(image.dtype).toBe('uint8');
    expect(image.shape).toEqual([2, 2, 3]);
    expect(Array.from(image.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);

    const state = unpackMessage(hex(STATE_HEX)) as NdArray<'float64'>;
    expect(state.dtype).toBe('float64');
    expect(state.data).toBeInstanceOf(Float64Array);
    expect(Array.from(state.data)).toEqual([1, -2, 0.5, 0.25, 0, 0, 0.125, -0.125]);
  });

  it('decodes every fixture back to an equal value', () => {
    for (const fixture of FIXTURES) {
      const expected = fixture.value();
      const decoded = unpackMessage(hex(fixture.hex));
      const normalized = expected instanceof Float64 ? expected.value : expected;
      expect(decoded, fixture.name).toEqual(normalized);
    }
  });

  it('decodes the LIBERO dict with its keys in order', () => {
    const decoded = unpackMessage(
      hex(FIXTURES.find((f) => f.name === 'LIBERO observation dict')!.hex),
    ) as Record<string, unknown>;
    expect(Object.keys(decoded)).toEqual([
      'observation/image',
      'observation/wrist_image',
      'observation/state',
      'prompt',
    ]);
    expect(decoded.prompt).toBe('pick up the bowl');
    expect(Array.from((decoded['observation/wrist_image'] as NdArray<'uint8'>).data)).toEqual(
      Array(12).fill(255),
    );
  });

  it('decodes numpy scalars to NpScalar', () => {
    expect(unpackMessage(packMessage(new NpScalar('float32', 0.1)))).toEqual(
      new NpScalar('float32', Math.fround(0.1)),
    );
    expect(unpackMessage(packMessage(new NpScalar('uint64', 2n ** 64n - 1n)))).toEqual(
      new NpScalar('uint64', 2n ** 64n - 1n),
    );
  });

  it('copies array data into aligned typed arrays even from an odd offset', () => {
    const framed = new Uint8Array(hex(STATE_HEX).length + 1);
    framed.set(hex(STATE_HEX), 1);
    const state = unpackMessage(framed.subarray(1)) as NdArray<'float64'>;
    expect(state.data.byteOffset % 8).toBe(0);
    expect(state.data[1]).toBe(-2);
    framed.fill(0);
    expect(state.data[1]).toBe(-2); // a copy, not a view of the frame
  });

  it('treats a map with a STR key "__ndarray__" as a plain dict, as Python does', () => {
    // {"__ndarray__": True}
    expect(unpackMessage(hex('81 ab 5f 5f 6e 64 61 72 72 61 79 5f 5f c3'))).toEqual({ __ndarray__: true });
  });

  it('keeps a "__proto__" key as an own property', () => {
    const decoded = unpackMessage(hex('81 a9 5f 5f 70 72 6f 74 6f 5f 5f 01')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
  });

  it('ints beyond 2^53 decode to bigint, smaller 64-bit ones to number', () => {
    expect(unpackMessage(hex('cf 00 00 00 01 00 00 00 00'))).toBe(2 ** 32);
    expect(unpackMessage(hex('cf ff ff ff ff ff ff ff ff'))).toBe(2n ** 64n - 1n);
  });

  const ndarrayWith = (dtypeHex: string, dataHex: string, shapeHex: string): Uint8Array =>
    hex(`84 ${K_NDARRAY} c3 ${K_DATA} ${dataHex} ${K_DTYPE} ${dtypeHex} ${K_SHAPE} ${shapeHex}`);

  it('rejects big-endian, object and unsupported dtypes clearly', () => {
    // ">f4"
    expect(() => unpackMessage(ndarrayWith('a3 3e 66 34', 'c4 04 00 00 80 3f', '91 01'))).toThrow(
      /big-endian dtype '>f4' is not supported/,
    );
    // "|O"
    expect(() => unpackMessage(ndarrayWith('a2 7c 4f', 'c4 08 00 00 00 00 00 00 00 00', '91 01'))).toThrow(
      /object dtype '\|O'/,
    );
    // "<c8"
    expect(() => unpackMessage(ndarrayWith('a3 3c 63 38', 'c4 08 00 00 00 00 00 00 00 00', '91 01'))).toThrow(
      /unsupported numpy dtype '<c8'/,
    );
  });

  it('rejects arrays whose data does not match dtype × shape', () => {
    expect(() => unpackMessage(ndarrayWith(F4, 'c4 04 00 00 80 3f', '91 02'))).toThrow(
      /<f4 \[2\] needs 8 bytes, got 4/,
    );
    expect(() => unpackMessage(ndarrayWith(F4, 'a4 00 00 80 3f', '91 01'))).toThrow(/'data' must be bin/);
    expect(() => unpackMessage(ndarrayWith(F4, 'c4 04 00 00 80 3f', '91 ff'))).toThrow(/non-negative/);
  });

  it('rejects non-msgpack input', () => {
    expect(() => unpackMessage(hex('c1'))).toThrow(/unsupported msgpack value/);
    expect(() => unpackMessage(hex('91 c1'))).toThrow(/<root>\/0: unsupported msgpack value/);
    expect(() => unpackMessage(hex('d6 ff 00 00 00 00'))).toThrow(/unsupported msgpack value \(Date/);
    expect(() => unpackMessage(hex('92 01'))).toThrow(/not a valid msgpack message/);
    expect(() => unpackMessage(hex('01 02'))).toThrow(/not a valid msgpack message/);
    expect(() => unpackMessage(hex('81 01 02'))).toThrow(/map key/);
  });
});

const dtypeArb = fc.constantFrom<DType>(...DTYPE_NAMES);
const ndarrayArb = fc
  .record({ dtype: dtypeArb, shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }) })
  .chain(({ dtype, shape }) => {
    const count = shape.reduce((a, b) => a * b, 1);
    const bytes = fc.uint8Array({
      minLength: count * dtypeItemSize(dtype),
      maxLength: count * dtypeItemSize(dtype),
    });
    return bytes.map((data) => {
      const array = NdArray.fromBytes(dtype, shape, data);
      if (array.data instanceof Uint8Array && dtype === 'bool') {
        for (let i = 0; i < array.data.length; i++) array.data[i] &= 1;
      }
      return array;
    });
  });

const valueArb = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    fc.double(),
    fc.string({ unit: 'grapheme' }),
    fc.uint8Array({ maxLength: 40 }),
    ndarrayArb,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
  ),
}));

describe('round trip', () => {
  it('unpackMessage(packMessage(v)) equals v, and re-packing gives the same bytes', () => {
    fc.assert(
      fc.property(valueArb.value, (value) => {
        const bytes = packMessage(value);
        const decoded = unpackMessage(bytes);
        expect(decoded).toEqual(value);
        expect(toHex(packMessage(decoded))).toBe(toHex(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('arrays keep dtype, shape and every byte', () => {
    fc.assert(
      fc.property(ndarrayArb, (array) => {
        const decoded = unpackMessage(packMessage({ x: array })) as { x: NdArray };
        expect(decoded.x.dtype).toBe(array.dtype);
        expect(decoded.x.shape).toEqual(array.shape);
        expect(toHex(decoded.x.bytes())).toBe(toHex(array.bytes()));
      }),
      { numRuns: 200 },
    );
  });
});
