import type { Observation, RgbImage } from '../types.js';

/**
 * Collects the camera frames of one rollout. It keeps references to the observations' images (each render
 * allocates new ones), so capturing costs no copy and no render beyond the ones the policy asked for;
 * frames are composed and encoded only for rollouts that are kept.
 */
export class RolloutFrames {
  private readonly agent: RgbImage[] = [];
  private readonly wrist: RgbImage[] = [];
  /** Instruction of the goal each frame belongs to (chains change it between subtasks). */
  private readonly instructions: string[] = [];

  /** Adds the frame of `observation`, unless it is the very frame added last (same render). */
  push(observation: Observation): void {
    if (observation.image.width === 0) return;
    const last = this.agent.length - 1;
    if (last >= 0 && this.agent[last] === observation.image) return;
    this.agent.push(observation.image);
    this.wrist.push(observation.wristImage);
    this.instructions.push(observation.instruction);
  }

  /** Frames captured so far. */
  get length(): number {
    return this.agent.length;
  }

  /** The instruction shown at frame `i`. */
  instructionAt(i: number): string {
    return this.instructions[i];
  }

  /** Forgets every frame (the next rollout starts). */
  clear(): void {
    this.agent.length = 0;
    this.wrist.length = 0;
    this.instructions.length = 0;
  }

  /**
   * The frames as one tall RGB raster: frame k is rows [k·h, (k+1)·h), the agent view on the left and the
   * wrist view on the right (width 2w), the layout an animated-image encoder takes as pages.
   */
  sideBySide(): { width: number; height: number; frames: number; data: Uint8Array } {
    const frames = this.agent.length;
    if (frames === 0) return { width: 0, height: 0, frames: 0, data: new Uint8Array(0) };
    const { width: w, height: h } = this.agent[0];
    const row = w * 3;
    const data = new Uint8Array(frames * h * 2 * row);
    for (let k = 0; k < frames; k++) {
      const agent = this.agent[k].data;
      const wrist = this.wrist[k].data;
      for (let y = 0; y < h; y++) {
        const out = (k * h + y) * 2 * row;
        data.set(agent.subarray(y * row, (y + 1) * row), out);
        data.set(wrist.subarray(y * row, (y + 1) * row), out + row);
      }
    }
    return { width: 2 * w, height: h, frames, data };
  }
}
