import type { RolloutVideo } from '../report/rollout-video.js';
import type { KeptVideo } from './rollout-video-keeper.js';
import type { VideoMode } from './video-selection.js';

/** Keeps the videos a run should end with: every one, or for `sample` the best claim of each slot. */
export class VideoCollector {
  private readonly all: RolloutVideo[] = [];
  private readonly bySlot = new Map<number, { score: number; kept: KeptVideo }>();

  constructor(private readonly mode: VideoMode) {}

  add(kept: KeptVideo): void {
    if (this.mode !== 'sample') {
      this.all.push(kept.video);
      return;
    }
    for (const claim of kept.claims) {
      const held = this.bySlot.get(claim.slot);
      if (!held || claim.score < held.score) this.bySlot.set(claim.slot, { score: claim.score, kept });
    }
  }

  /** Episodes by task and trial, chains by number; a `sample` video lists only the roles it still holds. */
  videos(): RolloutVideo[] {
    let videos = this.all;
    if (this.mode === 'sample') {
      const roles = new Map<RolloutVideo, string[]>();
      for (const [slot, { kept }] of this.bySlot) {
        const role = kept.claims.find((c) => c.slot === slot)?.role ?? '';
        roles.set(kept.video, [...(roles.get(kept.video) ?? []), role]);
      }
      videos = [...roles].map(([video, held]) => ({ ...video, roles: held }));
    }
    return videos.sort(
      (a, b) =>
        (a.taskIndex ?? 0) - (b.taskIndex ?? 0) || (a.trial ?? a.chain ?? 0) - (b.trial ?? b.chain ?? 0),
    );
  }
}
