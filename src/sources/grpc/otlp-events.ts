import type { JsonObject, JsonValue, LogEvent } from '../../core/event';
import { normalizeEvent, type NormalizeLimits } from '../ingest/normalize';
import { DEFAULT_MAX_DEPTH } from '../../../operators/parse/json';
import { toNumber, type WireInt64 } from './ingest-events';

/** opentelemetry.proto.common.v1.AnyValue as protobufjs decodes it (`value` names the member set). */
export interface OtlpAnyValue {
  readonly value?: 'string_value' | 'bool_value' | 'int_value' | 'double_value' | 'array_value' | 'kvlist_value' | 'bytes_value';
  readonly string_value?: string;
  readonly bool_value?: boolean;
  readonly int_value?: WireInt64;
  readonly double_value?: number;
  readonly array_value?: { readonly values: readonly OtlpAnyValue[] } | null;
  readonly kvlist_value?: { readonly values: readonly OtlpKeyValue[] } | null;
  readonly bytes_value?: Uint8Array;
}
export interface OtlpKeyValue {
  readonly key: string;
  readonly value?: OtlpAnyValue | null;
}
export interface OtlpLogRecord {
  readonly time_unix_nano: WireInt64;
  readonly observed_time_unix_nano: WireInt64;
  readonly severity_number: number;
  readonly severity_text: string;
  readonly body?: OtlpAnyValue | null;
  readonly attributes: readonly OtlpKeyValue[];
  readonly flags: number;
  readonly trace_id: Uint8Array;
  readonly span_id: Uint8Array;
  readonly event_name?: string;
}
export interface OtlpScopeLogs {
  readonly scope?: { readonly name: string; readonly version: string; readonly attributes: readonly OtlpKeyValue[] } | null;
  readonly log_records: readonly OtlpLogRecord[];
}
export interface OtlpResourceLogs {
  readonly resource?: { readonly attributes: readonly OtlpKeyValue[] } | null;
  readonly scope_logs: readonly OtlpScopeLogs[];
}
export interface OtlpExportRequest {
  readonly resource_logs: readonly OtlpResourceLogs[];
}

/** The records of one Export request that became events, and why the others did not. */
export interface DecodedLogs {
  readonly events: LogEvent[];
  /** The number of records refused (`partial_success.rejected_log_records`). */
  readonly rejected: number;
  /** The first few reasons, with the record's position (`resource_logs[0].scope_logs[1].log_records[7]`). */
  readonly reasons: string[];
}

/** Severity numbers 1-24 in bands of four: TRACE, DEBUG, INFO, WARN, ERROR, FATAL. */
const SEVERITY_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
/** How many reasons an answer names; the count covers the rest. */
const MAX_REASONS = 5;

class TooDeep extends Error {}

/** An AnyValue as JSON; bytes become base64, int64 past 2^53 a decimal string. */
function anyValue(value: OtlpAnyValue | null | undefined, depth: number, maxDepth: number): JsonValue {
  if (value === null || value === undefined) return null;
  switch (value.value) {
    case 'string_value':
      return value.string_value ?? '';
    case 'bool_value':
      return value.bool_value ?? false;
    case 'int_value': {
      const number = toNumber(value.int_value);
      return Number.isSafeInteger(number) ? number : String(value.int_value);
    }
    case 'double_value':
      return Number.isFinite(value.double_value) ? (value.double_value as number) : String(value.double_value);
    case 'bytes_value':
      return Buffer.from(value.bytes_value ?? new Uint8Array(0)).toString('base64');
    case 'array_value': {
      if (depth >= maxDepth) throw new TooDeep();
      return (value.array_value?.values ?? []).map((item) => anyValue(item, depth + 1, maxDepth));
    }
    case 'kvlist_value':
      if (depth >= maxDepth) throw new TooDeep();
      return attributes(value.kvlist_value?.values ?? [], depth + 1, maxDepth);
    default:
      return null;
  }
}

/** Key-value pairs as one object (a repeated key: the last wins, as in the data model's maps). */
function attributes(pairs: readonly OtlpKeyValue[], depth: number, maxDepth: number): JsonObject {
  const object: JsonObject = {};
  for (const pair of pairs) {
    const converted = anyValue(pair.value, depth + 1, maxDepth);
    // A key "__proto__" must be an own field, not the object's prototype.
    if (pair.key === '__proto__') Object.defineProperty(object, pair.key, { value: converted, enumerable: true, writable: true, configurable: true });
    else object[pair.key] = converted;
  }
  return object;
}

const hex = (bytes: Uint8Array): string | undefined => {
  if (bytes.length === 0) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
  return /^0+$/.test(text) ? undefined : text;
};

/** Nanoseconds since the epoch as an ISO string; undefined for 0 (unknown) or out of range. */
function isoFromNanos(nanos: WireInt64): string | undefined {
  const ms = Math.floor(toNumber(nanos) / 1e6);
  return ms === 0 || !(Math.abs(ms) <= 8.64e15) ? undefined : new Date(ms).toISOString();
}

/** The event of one record under its resource and scope (see the README's OTLP mapping). */
function recordItem(record: OtlpLogRecord, resource: JsonObject, scope: JsonObject | undefined, maxDepth: number): Record<string, JsonValue> {
  const item: Record<string, JsonValue> = {};
  const body = record.body;
  if (body?.value === 'string_value') item.message = body.string_value ?? '';
  else if (body?.value !== undefined) item.body = anyValue(body, 1, maxDepth);
  const observed = isoFromNanos(record.observed_time_unix_nano);
  const time = isoFromNanos(record.time_unix_nano) ?? observed;
  if (time !== undefined) item.timestamp = time;
  if (observed !== undefined) item.observed_timestamp = observed;
  const severity = record.severity_number;
  if (severity >= 1 && severity <= 24) item.level = SEVERITY_LEVELS[Math.floor((severity - 1) / 4)] as string;
  else if (record.severity_text !== '') item.level = record.severity_text;
  if (severity !== 0) item.severity_number = severity;
  if (record.severity_text !== '') item.severity_text = record.severity_text;
  if (record.attributes.length > 0) item.attributes = attributes(record.attributes, 1, maxDepth);
  item.resource = resource;
  if (scope !== undefined) item.scope = scope;
  const traceId = hex(record.trace_id);
  const spanId = hex(record.span_id);
  if (traceId !== undefined) item.trace_id = traceId;
  if (spanId !== undefined) item.span_id = spanId;
  if (record.flags !== 0) item.trace_flags = record.flags & 0xff;
  if (record.event_name !== undefined && record.event_name !== '') item.event_name = record.event_name;
  // The well-known `host` and `source` from the resource's semantic conventions.
  const hostName = resource['host.name'];
  const serviceName = resource['service.name'];
  if (typeof hostName === 'string') item.host = hostName;
  if (typeof serviceName === 'string') item.source = serviceName;
  return item;
}

/**
 * Maps an OTLP logs export to sluice events: one event per log record, carrying its
 * resource's attributes (`resource`), its scope (`scope`: name, version, attributes), the
 * severity as `level` (from the number's band, else the text) plus `severity_number` and
 * `severity_text`, a string body as `message` (any other body as `body`), `attributes`,
 * `trace_id`/`span_id` as lowercase hex, and `observed_timestamp`. `host` and `source` come
 * from the resource's `host.name` and `service.name`. A record deeper than the nesting
 * bound or with a string over the limit is refused and counted, the others go on.
 */
export function decodeOtlpLogs(request: OtlpExportRequest, receivedAtMs: number, limits: NormalizeLimits): DecodedLogs {
  const maxDepth = limits.maxDepth ?? DEFAULT_MAX_DEPTH;
  const events: LogEvent[] = [];
  const reasons: string[] = [];
  let rejected = 0;
  const refuse = (where: string, reason: string): void => {
    rejected++;
    if (reasons.length < MAX_REASONS) reasons.push(`${where}: ${reason}`);
  };
  request.resource_logs.forEach((resourceLogs, r) => {
    let resource: JsonObject;
    try {
      resource = attributes(resourceLogs.resource?.attributes ?? [], 1, maxDepth);
    } catch {
      const count = resourceLogs.scope_logs.reduce((sum, scopeLogs) => sum + scopeLogs.log_records.length, 0);
      for (let i = 0; i < count; i++) refuse(`resource_logs[${r}].resource`, `attributes nested deeper than ${maxDepth} levels`);
      return;
    }
    resourceLogs.scope_logs.forEach((scopeLogs, s) => {
      let scope: JsonObject | undefined;
      try {
        const source = scopeLogs.scope;
        if (source) {
          scope = { name: source.name, version: source.version };
          if (source.attributes.length > 0) scope.attributes = attributes(source.attributes, 2, maxDepth);
        }
      } catch {
        for (let i = 0; i < scopeLogs.log_records.length; i++) refuse(`resource_logs[${r}].scope_logs[${s}].scope`, `attributes nested deeper than ${maxDepth} levels`);
        return;
      }
      scopeLogs.log_records.forEach((record, l) => {
        const where = `resource_logs[${r}].scope_logs[${s}].log_records[${l}]`;
        let item: Record<string, JsonValue>;
        try {
          item = recordItem(record, resource, scope, maxDepth);
        } catch (error) {
          if (!(error instanceof TooDeep)) throw error;
          refuse(where, `nested deeper than ${maxDepth} levels`);
          return;
        }
        const result = normalizeEvent(item, receivedAtMs, limits);
        if ('error' in result) refuse(where, result.error);
        else events.push(result.event);
      });
    });
  });
  return { events, rejected, reasons };
}
