// The `ARROW:schema` entry that pyarrow (and so LeRobot's writer) stores in a parquet file's key-value
// metadata: the Arrow IPC schema message, base64-encoded. Parquet itself has no fixed-size list; readers that
// know Arrow (pyarrow, Hugging Face datasets) read `fixed_size_list<float>[n]` from this entry, and a plain
// `list<float>` without it. Only the types a LeRobot episode file uses are encoded.
import { Builder, type Offset } from 'flatbuffers';

/** The Arrow types of LeRobot's episode columns. */
export type ArrowType =
  | { readonly kind: 'float32' }
  | { readonly kind: 'int64' }
  | { readonly kind: 'binary' }
  | { readonly kind: 'utf8' }
  | { readonly kind: 'fixed-size-list'; readonly size: number; readonly item: ArrowField }
  | { readonly kind: 'struct'; readonly children: readonly ArrowField[] };

/** One Arrow field. pyarrow writes every LeRobot column, and every list item, as nullable. */
export interface ArrowField {
  readonly name: string;
  readonly type: ArrowType;
  readonly nullable: boolean;
}

// Union tags of Schema.fbs `Type` and Message.fbs `MessageHeader`, and enum values, from the Arrow format.
const TYPE_INT = 2;
const TYPE_FLOATING_POINT = 3;
const TYPE_BINARY = 4;
const TYPE_UTF8 = 5;
const TYPE_STRUCT = 13;
const TYPE_FIXED_SIZE_LIST = 16;
const PRECISION_SINGLE = 1;
const HEADER_SCHEMA = 1;
const METADATA_V5 = 4;
const CONTINUATION = 0xffffffff;

function offsetVector(builder: Builder, offsets: readonly Offset[]): Offset {
  builder.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) builder.addOffset(offsets[i]);
  return builder.endVector();
}

function keyValues(builder: Builder, metadata: Readonly<Record<string, string>>): Offset {
  const entries = Object.entries(metadata).map(([key, value]) => {
    const keyOffset = builder.createString(key);
    const valueOffset = builder.createString(value);
    builder.startObject(2);
    builder.addFieldOffset(0, keyOffset, 0);
    builder.addFieldOffset(1, valueOffset, 0);
    return builder.endObject();
  });
  return offsetVector(builder, entries);
}

/** The `Type` union member of `type`: its tag and its table. */
function typeTable(builder: Builder, type: ArrowType): { tag: number; table: Offset } {
  switch (type.kind) {
    case 'float32':
      builder.startObject(1);
      builder.addFieldInt16(0, PRECISION_SINGLE, 0);
      return { tag: TYPE_FLOATING_POINT, table: builder.endObject() };
    case 'int64':
      builder.startObject(2);
      builder.addFieldInt32(0, 64, 0);
      builder.addFieldInt8(1, 1, 0); // is_signed
      return { tag: TYPE_INT, table: builder.endObject() };
    case 'binary':
      builder.startObject(0);
      return { tag: TYPE_BINARY, table: builder.endObject() };
    case 'utf8':
      builder.startObject(0);
      return { tag: TYPE_UTF8, table: builder.endObject() };
    case 'struct':
      builder.startObject(0);
      return { tag: TYPE_STRUCT, table: builder.endObject() };
    case 'fixed-size-list':
      builder.startObject(1);
      builder.addFieldInt32(0, type.size, 0);
      return { tag: TYPE_FIXED_SIZE_LIST, table: builder.endObject() };
  }
}

function fieldTable(builder: Builder, field: ArrowField): Offset {
  const children =
    field.type.kind === 'fixed-size-list'
      ? [field.type.item]
      : field.type.kind === 'struct'
        ? field.type.children
        : [];
  const childOffsets = children.map((child) => fieldTable(builder, child));
  const childVector = offsetVector(builder, childOffsets);
  const name = builder.createString(field.name);
  const { tag, table } = typeTable(builder, field.type);
  builder.startObject(7);
  builder.addFieldOffset(0, name, 0);
  builder.addFieldInt8(1, field.nullable ? 1 : 0, 0);
  builder.addFieldInt8(2, tag, 0);
  builder.addFieldOffset(3, table, 0);
  builder.addFieldOffset(5, childVector, 0);
  return builder.endObject();
}

/**
 * The Arrow IPC message of a schema, framed as Arrow frames a message (a 0xFFFFFFFF continuation marker, the
 * metadata length, the flatbuffer padded to 8 bytes), which is what pyarrow stores under `ARROW:schema`.
 */
export function encodeArrowSchemaMessage(
  fields: readonly ArrowField[],
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const builder = new Builder(1024);
  const fieldVector = offsetVector(
    builder,
    fields.map((field) => fieldTable(builder, field)),
  );
  const metadataVector = keyValues(builder, metadata);
  builder.startObject(4);
  builder.addFieldOffset(1, fieldVector, 0);
  builder.addFieldOffset(2, metadataVector, 0);
  const schema = builder.endObject();
  builder.startObject(5);
  builder.addFieldInt16(0, METADATA_V5, 0);
  builder.addFieldInt8(1, HEADER_SCHEMA, 0);
  builder.addFieldOffset(2, schema, 0);
  builder.finish(builder.endObject());
  const flatbuffer = builder.asUint8Array();
  const padded = Math.ceil(flatbuffer.length / 8) * 8;
  const out = new Uint8Array(8 + padded);
  const view = new DataView(out.buffer);
  view.setUint32(0, CONTINUATION, true);
  view.setInt32(4, padded, true);
  out.set(flatbuffer, 8);
  return out;
}

/** The `ARROW:schema` key-value metadata value: {@link encodeArrowSchemaMessage}, base64-encoded. */
export function arrowSchemaMetadata(
  fields: readonly ArrowField[],
  metadata: Readonly<Record<string, string>> = {},
): string {
  return Buffer.from(encodeArrowSchemaMessage(fields, metadata)).toString('base64');
}
