import { describe, expect, it } from 'vitest';
import { type ProfileEvent, profileTable, summarizeProfile } from '../src/profile.js';

describe('summarizeProfile', () => {
  // Two runs of a graph with two MatMul nodes and one Add, durations in µs as ONNX Runtime writes them.
  const events: ProfileEvent[] = [
    { cat: 'Session', name: 'model_run', dur: 5000 },
    { cat: 'Session', name: 'model_run', dur: 3000 },
    { cat: 'Node', name: 'mm1_kernel_time', dur: 1200, args: { op_name: 'MatMul' } },
    { cat: 'Node', name: 'mm2_kernel_time', dur: 800, args: { op_name: 'MatMul' } },
    { cat: 'Node', name: 'add_kernel_time', dur: 10, args: { op_name: 'Add' } },
    { cat: 'Node', name: 'mm1_fence_before', dur: 99, args: { op_name: 'MatMul' } },
    { cat: 'Node', name: 'mm1_kernel_time', dur: 1000, args: { op_name: 'MatMul' } },
    { cat: 'Node', name: 'mm2_kernel_time', dur: 990, args: { op_name: 'MatMul' } },
  ];

  it('sums kernel time per operator type and per node, per run', () => {
    const s = summarizeProfile(events, 2);
    expect(s.runMs).toBe(4);
    expect(s.kernelMs).toBe(2);
    expect(s.ops).toEqual([
      { op: 'MatMul', ms: 1.995, share: 3990 / 4000, nodes: 2 },
      { op: 'Add', ms: 0.005, share: 10 / 4000, nodes: 0.5 },
    ]);
    expect(s.nodes.map((n) => n.node)).toEqual(['mm1', 'mm2', 'add']);
    expect(s.nodes[0].ms).toBe(1.1);
  });

  it('prints operators of at least 0.5% of kernel time', () => {
    expect(profileTable(summarizeProfile(events, 2)).split('\n')).toEqual([
      '| op | ms/step | share | nodes |',
      '|---|---:|---:|---:|',
      '| MatMul | 2.00 | 99.8% | 2 |',
    ]);
  });
});
