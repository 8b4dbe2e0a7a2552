import { identity, type OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { JsonValue, LogEvent } from '../../src/core/event';
import { ConfigError } from '../../src/core/errors';
import { compilePath, getField, setField, type FieldPath } from '../../src/core/field-path';
import type { EventHooks } from '../../src/core/event-hooks';
import { mapEvents } from '../map-events';
import { lookupKey, type LookupTable } from './lookup-table';

/** A join of each event with a lookup table: the row whose key equals the event's `keyField`. */
export interface LookupJoin {
  readonly table: LookupTable;
  /** Dotted path of the event field holding the key (`user.id`); numbers and booleans match as text. */
  readonly keyField: string;
  /** Dotted path to set the whole row under; by default each column becomes a root field. */
  readonly target?: string;
}

/** Options of {@link enrich}. */
export interface EnrichOptions {
  /** Replace a field the event already has; default false (only fill in missing fields). */
  readonly overwrite?: boolean;
  /** Also add the columns of the lookup-table row matching each event. */
  readonly lookup?: LookupJoin;
}

/** Hooks of {@link enrich}: `onLookupMiss` counts events whose key the table does not hold. */
export interface EnrichHooks extends EventHooks {
  onLookupMiss?(count: number): void;
}

/**
 * Freezes a static value deeply. Every event receives the same object, so a stage that
 * mutated it in place (instead of copying, as `setField` does) would change every event;
 * frozen, such a bug throws, and `mapEvents` keeps the event and reports it.
 */
function deepFreeze(value: JsonValue): JsonValue {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Sets static `fields` (dotted path → JSON value) on every event, then, with `lookup`, the
 * columns of the table row whose key equals the event's key field (an event whose key the
 * table lacks is counted through `hooks.onLookupMiss` and passes on without them). Without
 * `overwrite` a field the event already has is left alone. Environment variables and the
 * host name are static values to this operator: the `enrich` component reads them once. Paths are compiled once; nested writes copy the
 * objects they pass through, so events shared after a fan-out are never changed below
 * the copy `mapEvents` makes.
 *
 * ```
 * source:  --a--b--|        fields: { env: "prod" }
 * result:  --A--B--|        A, B: ...event, env: "prod"
 * ```
 *
 * @example
 * import { enrich } from 'sluice';
 * const tagged = enrich({ environment: 'production', 'service.team': 'payments' });
 *
 * @see mapEvents
 * @see parseJson
 */
export function enrich(fields: Readonly<Record<string, JsonValue>>, options: EnrichOptions = {}, hooks: EnrichHooks = {}): OperatorFunction<Batch, Batch> {
  const overwrite = options.overwrite === true;
  const paths: FieldPath[] = [];
  const values: JsonValue[] = [];
  for (const [path, value] of Object.entries(fields)) {
    try {
      paths.push(compilePath(path));
    } catch (error) {
      throw new ConfigError(`fields.${path}: ${(error as Error).message}`, { path: `fields.${path}` });
    }
    values.push(deepFreeze(structuredClone(value)));
  }
  const join = options.lookup === undefined ? undefined : compileJoin(options.lookup, overwrite, hooks.onLookupMiss);
  if (paths.length === 0 && join === undefined) return identity;
  const count = paths.length;
  const project = (event: LogEvent): LogEvent => {
    for (let i = 0; i < count; i++) {
      if (overwrite || getField(event, paths[i]) === undefined) setField(event, paths[i], values[i]);
    }
    join?.(event);
    return event;
  };
  return mapEvents(project, hooks);
}

function compilePathOption(path: string, where: string): FieldPath {
  try {
    return compilePath(path);
  } catch (error) {
    throw new ConfigError(`${where}: ${(error as Error).message}`, { path: where });
  }
}

/** The per-event join step: key read, row found, its columns (or the row under `target`) set. */
function compileJoin(lookup: LookupJoin, overwrite: boolean, onMiss: ((count: number) => void) | undefined): (event: LogEvent) => void {
  const keyPath = compilePathOption(lookup.keyField, 'lookup.key_field');
  const targetPath = lookup.target === undefined ? undefined : compilePathOption(lookup.target, 'lookup.target');
  const { table } = lookup;
  return (event) => {
    const key = lookupKey(getField(event, keyPath));
    const row = key === undefined ? undefined : table.get(key);
    if (row === undefined) {
      onMiss?.(1);
      return;
    }
    if (targetPath !== undefined) {
      if (overwrite || getField(event, targetPath) === undefined) setField(event, targetPath, row);
      return;
    }
    for (const column in row) {
      if (overwrite || event[column] === undefined) event[column] = row[column];
    }
  };
}
