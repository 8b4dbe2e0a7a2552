/** A JSON-compatible value: what an event field may hold. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/**
 * One log record: a plain JSON-compatible object. The well-known keys are typed; everything
 * else is a field. Nested fields are addressed with dotted paths (`http.status`).
 */
export interface LogEvent {
  timestamp?: string;
  message?: string;
  level?: string;
  host?: string;
  source?: string;
  [field: string]: JsonValue | undefined;
}

/**
 * Per-event metadata that must not be shipped: what differs between the events of one batch
 * (a line's offset, a dead-lettered entry's error and attempts). What all events of a batch
 * share (the connection's peer, the file's path, the Kafka partition) belongs in the batch's
 * `BatchMeta`, set once, not copied onto every event. It is kept under a symbol key so
 * `JSON.stringify` never serialises it, spreads (`{...event}`, the copy-on-write idiom)
 * carry it along, and no sink has to strip it.
 */
export interface EventMeta {
  path?: string;
  offset?: number;
  partition?: number;
  topic?: string;
  [key: string]: string | number | boolean | undefined;
}

/** The symbol under which an event carries its {@link EventMeta}. */
export const EVENT_META: unique symbol = Symbol('sluice.eventMeta');

type WithMeta = LogEvent & { [EVENT_META]?: EventMeta };

/** Reads the metadata attached to an event, if any. */
export function eventMeta(event: LogEvent): EventMeta | undefined {
  return (event as WithMeta)[EVENT_META];
}

/**
 * Attaches metadata beside an event (not in it: it is never serialised). A plain assignment:
 * it makes the same enumerable, writable symbol property as `defineProperty` would, at the
 * cost of an ordinary store rather than a descriptor call per event.
 */
export function setEventMeta(event: LogEvent, meta: EventMeta): void {
  (event as WithMeta)[EVENT_META] = meta;
}
