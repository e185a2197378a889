// The policy interface bench evaluates against. It is the openpi/LIBERO shape that @roboalign/serve owns
// (a served or remote policy is a Policy too), so it is declared there and named here as bench's own API.
export {
  ACTION_DIM,
  type ActionChunk,
  type ObjectPosition,
  type Observation,
  type Policy,
  type RgbImage,
  STATE_DIM,
} from '@roboalign/serve';
