/**
 * Sampling weights of an SFT mixture: sources with a fixed share get that share of the samples, and the rest
 * share what is left in proportion to their sizes (with no fixed share, every source is drawn by its size,
 * as a single concatenated dataset would be).
 *
 * @param sizes - rows per source.
 * @param fixedShares - per source, its share of the samples in (0, 1], or undefined to be drawn by size.
 * @returns weights that sum to 1, in source order.
 */
export function mixtureWeights(
  sizes: readonly number[],
  fixedShares: readonly (number | undefined)[] = [],
): number[] {
  if (sizes.length === 0) throw new Error('mixtureWeights: no sources');
  sizes.forEach((n, i) => {
    if (!(Number.isInteger(n) && n > 0))
      throw new Error(`mixtureWeights: source ${i} has ${n} rows; every source needs at least one`);
  });
  if (fixedShares.length > sizes.length)
    throw new Error(`mixtureWeights: ${fixedShares.length} shares for ${sizes.length} sources`);
  let fixedTotal = 0;
  fixedShares.forEach((share, i) => {
    if (share === undefined) return;
    if (!(share > 0 && share <= 1))
      throw new Error(`mixtureWeights: source ${i}'s share must be in (0, 1], got ${share}`);
    fixedTotal += share;
  });
  const bySize = sizes.map((n, i) => (fixedShares[i] === undefined ? n : 0));
  const bySizeTotal = bySize.reduce((a, b) => a + b, 0);
  const rest = 1 - fixedTotal;
  const total = Number(fixedTotal.toFixed(6));
  if (rest < -1e-12) throw new Error(`mixtureWeights: the fixed shares sum to ${total}, over 1`);
  if (bySizeTotal === 0 && Math.abs(rest) > 1e-12)
    throw new Error(`mixtureWeights: every source has a fixed share and they sum to ${total}, not 1`);
  if (bySizeTotal > 0 && rest <= 1e-12)
    throw new Error('mixtureWeights: the fixed shares leave nothing for the sources drawn by size');
  return sizes.map((_, i) => fixedShares[i] ?? (rest * bySize[i]) / bySizeTotal);
}

/**
 * Fixed shares for {@link mixtureWeights}: `share` for the source at `path`, every other source by size.
 * Throws when `path` is not one of `sources` (a share that would silently apply to nothing).
 */
export function shareOf(sources: readonly string[], path: string, share: number): (number | undefined)[] {
  if (!sources.includes(path)) throw new Error(`shareOf: ${path} is not one of the mixture's sources`);
  return sources.map((source) => (source === path ? share : undefined));
}
