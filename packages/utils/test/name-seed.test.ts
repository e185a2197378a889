import { describe, expect, it } from 'vitest';
import { seedFromName, seedFromParts } from '../src/index.js';

describe('seedFromName', () => {
  it("gives onnx-train's and action-head's former seedOf values (pinned)", () => {
    expect(seedFromName('blocks.3.attn.q.weight')).toBe(1758010342);
    expect(seedFromName('blocks.3.attn.q.weight', 0)).toBe(1758010342);
    expect(seedFromName('blocks.3.attn.q.weight', 7)).toBe(2408182809);
    expect(seedFromName('')).toBe(0x811c9dc5);
  });

  it('hashes UTF-16 code units', () => {
    expect(seedFromName('a😀')).toBe(479120377);
  });

  it('gives different names and different model seeds different streams', () => {
    expect(seedFromName('a.weight')).not.toBe(seedFromName('b.weight'));
    expect(seedFromName('a.weight', 1)).not.toBe(seedFromName('a.weight', 2));
  });
});

describe('seedFromParts', () => {
  it("gives bench's former seedFrom values (pinned)", () => {
    expect(seedFromParts('libero-goal', 'task', 3)).toBe(1846639058);
    expect(seedFromParts('word', 'bowl')).toBe(2602117378);
  });

  it('equals seedFromName of the joined text within the Basic Multilingual Plane, and differs outside it', () => {
    expect(seedFromParts('libero-goal', 'task', 3)).toBe(seedFromName('libero-goal/task/3'));
    expect(seedFromParts('é', 'ü')).toBe(seedFromName('é/ü'));
    expect(seedFromParts('a😀')).toBe(769020484);
    expect(seedFromParts('a😀')).not.toBe(seedFromName('a😀'));
  });
});
