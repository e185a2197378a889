import { type IMapField, Root, type Type } from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc32c, maskedCrc32c } from '../src/crc32c.js';
import { decodeTfExample, requireFeature } from '../src/tf-example.js';
import { parseTfRecords } from '../src/tfrecord.js';

/** Frames payloads as TFRecords, written here independently of the reader. */
function frameRecords(payloads: readonly Uint8Array[]): Uint8Array {
  const total = payloads.reduce((n, p) => n + 16 + p.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const payload of payloads) {
    view.setBigUint64(offset, BigInt(payload.length), true);
    view.setUint32(offset + 8, maskedCrc32c(out.subarray(offset, offset + 8)), true);
    out.set(payload, offset + 12);
    view.setUint32(offset + 12 + payload.length, maskedCrc32c(payload), true);
    offset += 16 + payload.length;
  }
  return out;
}

// tf.train.Example schema, defined separately from the decoder's (JSON descriptor, not reflection calls).
function exampleSchema(packed: boolean): Type {
  const mapOfFeatures: IMapField = { keyType: 'string', type: 'Feature', id: 1 };
  return Root.fromJSON({
    nested: {
      BytesList: { fields: { value: { rule: 'repeated', type: 'bytes', id: 1 } } },
      FloatList: { fields: { value: { rule: 'repeated', type: 'float', id: 1, options: { packed } } } },
      Int64List: { fields: { value: { rule: 'repeated', type: 'int64', id: 1, options: { packed } } } },
      Feature: {
        oneofs: { kind: { oneof: ['bytesList', 'floatList', 'int64List'] } },
        fields: {
          bytesList: { type: 'BytesList', id: 1 },
          floatList: { type: 'FloatList', id: 2 },
          int64List: { type: 'Int64List', id: 3 },
        },
      },
      Features: { fields: { feature: mapOfFeatures } },
      Example: { fields: { features: { type: 'Features', id: 1 } } },
    },
  }).lookupType('Example');
}

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((b) => Number.parseInt(b, 16)));

describe('crc32c', () => {
  it('matches the standard check value and the RFC 3720 (iSCSI) vectors', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('masks as TFRecord does: rotate right by 15, add 0xa282ead8 mod 2^32', () => {
    expect(maskCrc32c(0)).toBe(0xa282ead8);
    // 0x00008000 rotated right by 15 is 1.
    expect(maskCrc32c(0x00008000)).toBe(0xa282ead9);
    // 1 rotated right by 15 is 0x00020000; the sum wraps past 2^32 for large inputs.
    expect(maskCrc32c(1)).toBe(0xa284ead8);
    expect(maskCrc32c(0xffffffff)).toBe((0xffffffff + 0xa282ead8) % 2 ** 32);
  });
});

describe('tf.train.Example decoding', () => {
  it('decodes a byte-exact hand-written Example with an unpacked float', () => {
    // Example{features{feature{"a": Feature{float_list{value: [1.5]}}}}}, value as tag 0x0d (fixed32).
    const bytes = hex('0a0e0a0c0a016112071205' + '0d0000c03f');
    const example = decodeTfExample(bytes, 'fixture');
    expect([...requireFeature(example, 'a', 'float', 'fixture').value]).toEqual([1.5]);
  });

  it('decodes a byte-exact hand-written Example with packed floats', () => {
    // float_list{value: [1.5, -2]} packed: tag 0x0a, 8 bytes.
    const bytes = hex('0a130a110a0161120c120a' + '0a08' + '0000c03f' + '000000c0');
    const example = decodeTfExample(bytes, 'fixture');
    expect([...requireFeature(example, 'a', 'float', 'fixture').value]).toEqual([1.5, -2]);
  });

  for (const packed of [true, false]) {
    it(`round-trips TFRecord framing and a protobufjs-encoded Example (${packed ? 'packed' : 'unpacked'})`, () => {
      const Example = exampleSchema(packed);
      const jpegish = Uint8Array.from([0xff, 0xd8, 0xff, 1, 2, 3]);
      const message = Example.fromObject({
        features: {
          feature: {
            'steps/action': { floatList: { value: [0.25, -1, 3.5, 1e-10] } },
            'steps/is_first': { int64List: { value: ['1', '0', '-5', '9007199254740993'] } },
            'steps/language_instruction': {
              bytesList: { value: [new TextEncoder().encode('pick ü'), jpegish] },
            },
          },
        },
      });
      const payload = new Uint8Array(Example.encode(message).finish());
      const second = Example.encode(Example.fromObject({ features: { feature: {} } })).finish();
      const file = frameRecords([payload, second]);
      const records = parseTfRecords(file, 'mem.tfrecord');
      expect(records.map((r) => r.offset)).toEqual([0, 16 + payload.length]);
      expect(records[0].data).toEqual(payload);
      expect(records[1].data.length).toBe(second.length);

      const example = decodeTfExample(records[0].data, 'record 0');
      expect([...requireFeature(example, 'steps/action', 'float', 'r').value]).toEqual([
        0.25,
        -1,
        3.5,
        Math.fround(1e-10),
      ]);
      expect([...requireFeature(example, 'steps/is_first', 'int64', 'r').value]).toEqual([
        1n,
        0n,
        -5n,
        9007199254740993n,
      ]);
      const texts = requireFeature(example, 'steps/language_instruction', 'bytes', 'r').value;
      expect(new TextDecoder().decode(texts[0])).toBe('pick ü');
      expect(texts[1]).toEqual(jpegish);
      expect(decodeTfExample(records[1].data, 'record 1').size).toBe(0);
      expect(() => requireFeature(example, 'steps/action', 'int64', 'record 0')).toThrow(
        'record 0: steps/action: expected int64_list, got float_list',
      );
      expect(() => requireFeature(example, 'nope', 'float', 'record 0')).toThrow(
        'record 0: missing feature nope',
      );
    });
  }

  it('names the file, record and byte offset on a data CRC mismatch', () => {
    const file = frameRecords([Uint8Array.of(1, 2, 3), Uint8Array.of(4, 5, 6, 7)]);
    file[19 + 12 + 1] ^= 0x40; // second record starts at 19; flip a bit in its data
    expect(() => parseTfRecords(file, 'x.tfrecord')).toThrow(
      /^x\.tfrecord: record 1 at byte offset 19: data CRC mismatch over bytes 31\.\.35 \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\)$/,
    );
    expect(parseTfRecords(file, 'x.tfrecord', { verifyCrc: false })[1].data).toEqual(
      Uint8Array.of(4, 0x45, 6, 7),
    );
  });

  it('names the offset on a length CRC mismatch and on truncation', () => {
    const file = frameRecords([Uint8Array.of(9, 9)]);
    const badLength = file.slice();
    badLength[8] ^= 1;
    expect(() => parseTfRecords(badLength, 'y')).toThrow('y: record 0 at byte offset 0: length CRC mismatch');
    expect(() => parseTfRecords(file.subarray(0, 17), 'y')).toThrow(
      'y: record 0 at byte offset 0: truncated record, length field says 2 bytes but 1 remain',
    );
    const two = frameRecords([Uint8Array.of(1), Uint8Array.of(2)]);
    expect(() => parseTfRecords(two.subarray(0, 17 + 5), 'z')).toThrow(
      'z: record 1 at byte offset 17: truncated header, 5 bytes left, need 12',
    );
  });

  it('rejects bytes that are not an Example', () => {
    expect(() => decodeTfExample(Uint8Array.of(0x0a, 0x7f), 'rec 3')).toThrow(
      /^rec 3: not a tf\.train\.Example/,
    );
  });
});
