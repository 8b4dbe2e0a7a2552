import { DDSketch } from '@datadog/sketches-js';
import type { JsonObject, JsonValue } from '../../src/core/event';

/** What {@link NumericStats} can report of a numeric field. */
export type StatName = 'count' | 'sum' | 'min' | 'max' | 'mean' | 'p50' | 'p95' | 'p99';

export const STAT_NAMES: readonly StatName[] = ['count', 'sum', 'min', 'max', 'mean', 'p50', 'p95', 'p99'];

const QUANTILES: Partial<Record<StatName, number>> = { p50: 0.5, p95: 0.95, p99: 0.99 };

/**
 * Relative accuracy of the quantile sketch: a reported p99 is within 1 % of a value that
 * truly sits at the 99th percentile, whatever the range of the values (DDSketch's guarantee).
 */
const SKETCH_ACCURACY = 0.01;

/** A number, or a string holding one (`"12.5"`); anything else is not a sample. */
export function numericValue(value: JsonValue | undefined): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * Count, sum, min, max and mean of one numeric field in one window and key, plus p50/p95/p99
 * from a DDSketch (`@datadog/sketches-js`) when any of them is asked for: bounded memory per
 * group, mergeable, and independent of arrival order, so chunking never changes a quantile.
 */
export class NumericStats {
  private count = 0;
  private sum = 0;
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;
  private readonly sketch: DDSketch | undefined;

  constructor(private readonly wanted: readonly StatName[]) {
    this.sketch = wanted.some((name) => QUANTILES[name] !== undefined) ? new DDSketch({ relativeAccuracy: SKETCH_ACCURACY }) : undefined;
  }

  add(value: number): void {
    this.count += 1;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.sketch?.accept(value);
  }

  /** The wanted statistics; with no sample, only `count: 0` (min, max and quantiles of nothing do not exist). */
  summary(): JsonObject {
    const out: JsonObject = {};
    for (const name of this.wanted) {
      if (name === 'count') out.count = this.count;
      else if (this.count === 0) continue;
      else if (name === 'sum') out.sum = this.sum;
      else if (name === 'min') out.min = this.min;
      else if (name === 'max') out.max = this.max;
      else if (name === 'mean') out.mean = this.sum / this.count;
      else out[name] = (this.sketch as DDSketch).getValueAtQuantile(QUANTILES[name] as number);
    }
    return out;
  }
}

/** One value of a top-N list and how many events had it. */
export interface ValueCount extends JsonObject {
  value: JsonValue;
  count: number;
}

/**
 * Counts the values of one field exactly, keeping at most `maxDistinct` of them: a value
 * first seen after that is counted in `others` only, so a field with unbounded cardinality
 * (a request id) cannot grow the window's memory without bound.
 */
export class TopValues {
  private readonly counts = new Map<string | number | boolean | null, number>();
  private overflow = 0;

  constructor(
    private readonly limit: number,
    private readonly maxDistinct: number,
  ) {}

  add(value: JsonValue | undefined): void {
    if (value === undefined) return;
    // Objects and arrays are counted by their JSON text: two equal objects are one value.
    const key = value !== null && typeof value === 'object' ? JSON.stringify(value) : value;
    const seen = this.counts.get(key);
    if (seen !== undefined) this.counts.set(key, seen + 1);
    else if (this.counts.size < this.maxDistinct) this.counts.set(key, 1);
    else this.overflow += 1;
  }

  /** The `limit` most frequent values (ties by first appearance), and how many events had any other value. */
  summary(): JsonObject {
    const ranked = [...this.counts].sort((a, b) => b[1] - a[1]);
    const values: ValueCount[] = ranked.slice(0, this.limit).map(([value, count]) => ({ value, count }));
    let others = this.overflow;
    for (let i = this.limit; i < ranked.length; i++) others += ranked[i][1];
    return { values, others };
  }
}
