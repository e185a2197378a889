import type { VlmArchitecture } from '../../src/config.js';

/** A very small architecture for fast tests: same code paths as the presets, fewer and narrower layers. */
export const MICRO: VlmArchitecture = {
  imageSize: 64,
  patchSize: 8,
  maxImages: 2,
  vision: { layers: 1, width: 64, heads: 2, mlpHidden: 128 },
  text: {
    layers: 2,
    width: 64,
    heads: 2,
    mlpHidden: 128,
    ropeTheta: 10000,
    rmsNormEps: 1e-6,
    tieEmbeddings: true,
  },
};
