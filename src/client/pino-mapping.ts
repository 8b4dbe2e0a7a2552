import type { IngestEvent } from './event';

/** What pino tells a transport about the logger (pino ≥ 9.7 sends it; older ones do not). */
export interface PinoConfig {
  /** Numeric level → label, custom levels included. */
  readonly levels?: { readonly labels?: Readonly<Record<string, string>> };
  /** The key of the message (pino's `messageKey`, default `msg`). */
  readonly messageKey?: string;
}

/** How pino's line objects become events. */
export interface PinoMappingOptions {
  /** The event's `source`; default: the logger's `name` (pino's `name` option), if any. */
  readonly source?: string;
}

/** pino's default labels, used when the logger did not send its own. */
const DEFAULT_LABELS: Readonly<Record<string, string>> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/**
 * One parsed pino line as an event:
 * - `msg` (or the logger's `messageKey`) → `message` (a non-string message is JSON-encoded);
 * - `time` (epoch ms by default; ISO strings from `pino.stdTimeFunctions.isoTime`, seconds from `unixTime`) → `timestamp`;
 * - the numeric `level` → its label (custom levels by the logger's own table), a string level as is;
 * - `hostname` → `host`; `name` → `source` unless `options.source` is set;
 * - everything else (`pid`, `err`, `req`, bindings, the merging object) → `fields`.
 */
export function eventFromPino(line: Readonly<Record<string, unknown>>, config: PinoConfig = {}, options: PinoMappingOptions = {}): IngestEvent {
  const messageKey = config.messageKey ?? 'msg';
  const labels = config.levels?.labels ?? DEFAULT_LABELS;
  const fields: Record<string, unknown> = {};
  let message: string | undefined;
  let timestamp: number | string | undefined;
  let level: string | number | undefined;
  let host: string | undefined;
  let name: string | undefined;
  for (const key of Object.keys(line)) {
    const value = line[key];
    if (key === messageKey) message = typeof value === 'string' ? value : JSON.stringify(value);
    else if (key === 'time' && (typeof value === 'number' || typeof value === 'string')) timestamp = value;
    else if (key === 'level' && typeof value === 'number') level = labels[String(value)] ?? value;
    else if (key === 'level' && typeof value === 'string') level = value;
    else if (key === 'hostname' && typeof value === 'string') host = value;
    else if (key === 'name' && typeof value === 'string' && options.source === undefined) name = value;
    else fields[key] = value;
  }
  const source = options.source ?? name;
  return {
    ...(message === undefined ? {} : { message }),
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(level === undefined ? {} : { level }),
    ...(host === undefined ? {} : { host }),
    ...(source === undefined ? {} : { source }),
    ...(Object.keys(fields).length === 0 ? {} : { fields }),
  };
}
