import type { JsonObject, JsonValue, LogEvent } from '../../src/core/event';
import { compilePath, getField, setField, type FieldPath } from '../../src/core/field-path';
import { NumericStats, numericValue, STAT_NAMES, TopValues, type StatName } from './stats';

/** What each group of an aggregate computes: its key fields, numeric statistics and top-N values. */
export interface GroupSpec {
  /** Fields whose values key the summaries: one summary per window and distinct combination. */
  readonly groupBy?: readonly string[];
  /** Numeric fields and the statistics wanted of each (default: all of {@link STAT_NAMES}). */
  readonly stats?: ReadonlyArray<{ readonly field: string; readonly stats?: readonly StatName[] }>;
  /** Fields whose most frequent values are listed, `limit` of them, counting at most `maxDistinct` distinct values. */
  readonly top?: ReadonlyArray<{ readonly field: string; readonly limit: number; readonly maxDistinct?: number }>;
}

/** The running summary of one (window, key) group. */
export interface Group {
  readonly key: readonly (JsonValue | undefined)[];
  count: number;
  readonly stats: NumericStats[];
  readonly tops: TopValues[];
}

/** A window's bounds as they appear in its summaries. */
export interface WindowBounds {
  readonly start: string;
  readonly end: string;
}

const DEFAULT_MAX_DISTINCT = 10_000;
const NO_KEY: readonly JsonValue[] = [];

/**
 * A key part that keeps `200` and `"200"` apart, and absent apart from null. A string is its
 * own key (its hash is already cached: no string built per event); anything else is JSON
 * behind a NUL, which only a string starting with that control character could spell.
 */
function keyPart(value: JsonValue | undefined): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '\u0000u';
  return `\u0000${JSON.stringify(value)}`;
}

/**
 * Keys events into groups and turns a group into its summary event, with every field path
 * compiled once. Only numbers and numeric strings are statistics samples; top-N counts any
 * value present (objects by their JSON).
 */
export class Grouping {
  private readonly groupPaths: FieldPath[];
  private readonly statPaths: FieldPath[];
  private readonly statWanted: (readonly StatName[])[];
  private readonly topPaths: FieldPath[];

  constructor(private readonly spec: GroupSpec) {
    this.groupPaths = (spec.groupBy ?? []).map((field) => compilePath(field));
    this.statPaths = (spec.stats ?? []).map((stat) => compilePath(stat.field));
    this.statWanted = (spec.stats ?? []).map((stat) => stat.stats ?? STAT_NAMES);
    this.topPaths = (spec.top ?? []).map((top) => compilePath(top.field));
  }

  /** The group-by values of an event; one shared empty list when nothing keys the groups. */
  keyOf(event: LogEvent): readonly (JsonValue | undefined)[] {
    const paths = this.groupPaths;
    if (paths.length === 0) return NO_KEY;
    if (paths.length === 1) return [getField(event, paths[0])];
    return paths.map((path) => getField(event, path));
  }

  /** The map key of group-by values. */
  keyText(values: readonly (JsonValue | undefined)[]): string {
    return values.length === 0 ? '' : values.length === 1 ? keyPart(values[0]) : values.map(keyPart).join('\u0001');
  }

  newGroup(key: readonly (JsonValue | undefined)[]): Group {
    return {
      key,
      count: 0,
      stats: this.statWanted.map((wanted) => new NumericStats(wanted)),
      tops: (this.spec.top ?? []).map((top) => new TopValues(top.limit, top.maxDistinct ?? DEFAULT_MAX_DISTINCT)),
    };
  }

  count(group: Group, event: LogEvent): void {
    group.count += 1;
    for (let i = 0; i < this.statPaths.length; i++) {
      const value = numericValue(getField(event, this.statPaths[i]));
      if (value !== undefined) group.stats[i].add(value);
    }
    for (let i = 0; i < this.topPaths.length; i++) group.tops[i].add(getField(event, this.topPaths[i]));
  }

  /** `{timestamp: start, window: {start, end}, <group-by fields>, count, stats?, top?}`. */
  summary(bounds: WindowBounds, group: Group): LogEvent {
    const summary: LogEvent = { timestamp: bounds.start, window: { start: bounds.start, end: bounds.end } };
    this.groupPaths.forEach((path, index) => {
      const value = group.key[index];
      if (value !== undefined) setField(summary, path, value);
    });
    summary.count = group.count;
    if (this.statPaths.length > 0) {
      const stats: JsonObject = {};
      (this.spec.stats ?? []).forEach((stat, index) => (stats[stat.field] = group.stats[index].summary()));
      summary.stats = stats;
    }
    if (this.topPaths.length > 0) {
      const top: JsonObject = {};
      (this.spec.top ?? []).forEach((spec, index) => (top[spec.field] = group.tops[index].summary()));
      summary.top = top;
    }
    return summary;
  }
}
