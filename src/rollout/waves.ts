import { selectorMatches } from '../manifest/index.js';
import type { RolloutWaveSpec } from './types.js';

/** restWaveName names the implicit last wave that holds targets no wave selects. */
export const restWaveName = 'rest';

/** WaveTarget is what wave assignment needs to know of a target: its cluster and the cluster's labels. */
export interface WaveTarget {
  cluster: string;
  labels: Readonly<Record<string, string>>;
}

/** WaveAssignment is one wave with the clusters it holds, sorted by name. */
export interface WaveAssignment {
  spec: RolloutWaveSpec;
  clusters: string[];
}

/**
 * assignWaves puts every target in the first wave whose selector matches its cluster's labels, in
 * the order the waves are written. Targets that no wave selects go into an implicit last wave named
 * `rest` (all at once, no soak, no approval), added only when needed: they still move, and only after
 * every wave the fleet file names has completed, which is the cautious place for them. Without
 * waves (a release without `rollout`) every target is in one wave named `all`.
 */
export function assignWaves(waves: readonly RolloutWaveSpec[], targets: readonly WaveTarget[]): WaveAssignment[] {
  if (waves.length === 0) return [{ spec: { name: 'all', selector: {} }, clusters: targets.map((t) => t.cluster).sort() }];
  const out: WaveAssignment[] = waves.map((spec) => ({ spec, clusters: [] }));
  const rest: string[] = [];
  for (const target of targets) {
    const index = waves.findIndex((w) => selectorMatches(w.selector, target.labels));
    if (index < 0) rest.push(target.cluster);
    else out[index]!.clusters.push(target.cluster);
  }
  if (rest.length) out.push({ spec: { name: restWaveName, selector: {} }, clusters: rest });
  for (const wave of out) wave.clusters.sort();
  return out;
}

/**
 * resolveMaxParallel turns a wave's maxParallel into a number of targets for a wave of `size`
 * targets: a count as written, a percentage rounded up (`25%` of 10 is 3), never less than 1 so that
 * a wave always moves, and every target at once when it is not set. A value that is neither (the
 * fleet validation rejects those) counts as 1, the cautious reading.
 */
export function resolveMaxParallel(maxParallel: number | string | undefined, size: number): number {
  if (maxParallel === undefined) return Math.max(1, size);
  if (typeof maxParallel === 'number') return Number.isFinite(maxParallel) ? Math.max(1, Math.floor(maxParallel)) : 1;
  const percent = /^(\d+(?:\.\d+)?)%$/.exec(maxParallel.trim());
  if (percent) return Math.max(1, Math.ceil((size * Number(percent[1])) / 100));
  const count = /^\d+$/.exec(maxParallel.trim());
  return count ? Math.max(1, Number(count[0])) : 1;
}
