import { Field, MapField, OneOf, Root, Type } from 'protobufjs';
import { DatasetError } from './errors.js';

/** One decoded `tf.train.Feature`: exactly one of its three list kinds. */
export type TfFeature =
  | { readonly kind: 'bytes'; readonly value: readonly Uint8Array[] }
  | { readonly kind: 'float'; readonly value: Float32Array }
  | { readonly kind: 'int64'; readonly value: BigInt64Array };

/** A decoded `tf.train.Example`: feature key → feature. */
export type TfExample = ReadonlyMap<string, TfFeature>;

// tensorflow/core/example/feature.proto and example.proto, built by reflection:
//   message BytesList { repeated bytes value = 1; }
//   message FloatList { repeated float value = 1 [packed = true]; }
//   message Int64List { repeated int64 value = 1 [packed = true]; }
//   message Feature { oneof kind { BytesList bytes_list = 1; FloatList float_list = 2; Int64List int64_list = 3; } }
//   message Features { map<string, Feature> feature = 1; }
//   message Example { Features features = 1; }
// protobufjs decodes repeated scalars in both packed and unpacked wire form, as proto3 requires.
const BytesList = new Type('BytesList').add(new Field('value', 1, 'bytes', 'repeated'));
const FloatList = new Type('FloatList').add(
  new Field('value', 1, 'float', 'repeated', undefined, { packed: true }),
);
const Int64List = new Type('Int64List').add(
  new Field('value', 1, 'int64', 'repeated', undefined, { packed: true }),
);
const FeatureType = new Type('Feature')
  .add(new Field('bytesList', 1, 'BytesList'))
  .add(new Field('floatList', 2, 'FloatList'))
  .add(new Field('int64List', 3, 'Int64List'))
  .add(new OneOf('kind', ['bytesList', 'floatList', 'int64List']));
const FeaturesType = new Type('Features').add(new MapField('feature', 1, 'string', 'Feature'));
const ExampleType = new Type('Example').add(new Field('features', 1, 'Features'));
const TENSORFLOW = new Root();
for (const type of [BytesList, FloatList, Int64List, FeatureType, FeaturesType, ExampleType])
  TENSORFLOW.add(type);

interface PlainFeature {
  bytesList?: { value?: Uint8Array[] };
  floatList?: { value?: number[] };
  int64List?: { value?: bigint[] };
}
interface PlainExample {
  features?: { feature?: Record<string, PlainFeature> };
}

/** Decodes one serialized `tf.train.Example`. `where` names the record in errors. */
export function decodeTfExample(bytes: Uint8Array, where: string): TfExample {
  let plain: PlainExample;
  try {
    plain = ExampleType.toObject(ExampleType.decode(bytes), { longs: BigInt }) as PlainExample;
  } catch (error) {
    throw new DatasetError(`${where}: not a tf.train.Example: ${(error as Error).message}`);
  }
  const out = new Map<string, TfFeature>();
  for (const [key, feature] of Object.entries(plain.features?.feature ?? {})) {
    if (feature.bytesList) {
      out.set(key, { kind: 'bytes', value: (feature.bytesList.value ?? []).map((b) => new Uint8Array(b)) });
    } else if (feature.floatList) {
      out.set(key, { kind: 'float', value: Float32Array.from(feature.floatList.value ?? []) });
    } else if (feature.int64List) {
      out.set(key, { kind: 'int64', value: BigInt64Array.from(feature.int64List.value ?? []) });
    } else {
      // A Feature with no kind set is legal protobuf; treat it as an empty float list.
      out.set(key, { kind: 'float', value: new Float32Array(0) });
    }
  }
  return out;
}

/** The feature `key` of `example`, checked to be of `kind`; throws naming `where` otherwise. */
export function requireFeature<K extends TfFeature['kind']>(
  example: TfExample,
  key: string,
  kind: K,
  where: string,
): Extract<TfFeature, { kind: K }> {
  const feature = example.get(key);
  if (!feature)
    throw new DatasetError(
      `${where}: missing feature ${key} (have: ${[...example.keys()].sort().join(', ')})`,
    );
  if (feature.kind !== kind)
    throw new DatasetError(`${where}: ${key}: expected ${kind}_list, got ${feature.kind}_list`);
  return feature as Extract<TfFeature, { kind: K }>;
}
