import { VLM_PRESETS, type VlmArchitecture } from '../../src/config.js';

/** A very small architecture for fast tests: same code paths as the presets, fewer and narrower layers. */
export const MICRO: VlmArchitecture = VLM_PRESETS.micro;
