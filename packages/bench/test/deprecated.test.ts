import * as datasets from '@roboalign/datasets';
import * as serve from '@roboalign/serve';
import * as utils from '@roboalign/utils';
import { describe, expect, it } from 'vitest';
import * as bench from '../src/index.js';

describe('the names bench 0.1 exported and 0.2 keeps as deprecated aliases', () => {
  it('are the functions of the packages they moved to', () => {
    expect(bench.readBridgeEpisodes).toBe(datasets.readBridgeEpisodes);
    expect(bench.readLeRobotDataset).toBe(datasets.readLeRobotDataset);
    expect(bench.readLeRobotEpisodeFile).toBe(datasets.readLeRobotEpisodeFile);
    expect(bench.writeLeRobotDataset).toBe(datasets.writeLeRobotDataset);
    expect(bench.adaptPolicy).toBe(serve.adaptPolicy);
    expect(bench.randomPolicy).toBe(serve.randomPolicy);
    expect(bench.remotePolicy).toBe(serve.remotePolicy);
    expect(bench.servePolicy).toBe(serve.servePolicy);
    expect(bench.mulberry32).toBe(utils.mulberry32);
    expect(bench.seedFrom).toBe(utils.seedFromParts);
  });

  it('no longer include the rest of the data and protocol modules', () => {
    const names = Object.keys(bench);
    for (const name of ['columnStats', 'readLeRobotInfo', 'packMessage', 'NdArray', 'WebsocketPolicyClient'])
      expect(names).not.toContain(name);
  });
});
