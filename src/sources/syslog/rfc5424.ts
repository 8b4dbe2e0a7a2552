import type { JsonObject, JsonValue, LogEvent } from '../../core/event';
import { fractionToMs, wallTimeToIso } from './instant';
import { setPriorityFields } from './priority';

/** A parsed message's fields, or why it could not be parsed. */
export type SyslogParse = { readonly event: LogEvent; readonly error?: undefined } | { readonly event?: undefined; readonly error: string };

const NIL = '-';
/** RFC 3339 as RFC 5424 §6.2.3 restricts it: a `T`, at most six fraction digits, an offset required. */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * `2003-10-11T22:14:15.003Z` (or with an offset) as an ISO instant in UTC, ms precision;
 * undefined when it is not a valid RFC 5424 timestamp. Exported for RFC 3164 lines that carry one.
 */
export function rfc3339ToIso(text: string): string | undefined {
  const match = TIMESTAMP.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  let offset = 0;
  if (zone.length === 6) offset = (zone.charCodeAt(0) === 45 ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  return wallTimeToIso(offset, Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), fractionToMs(fraction));
}

/** Sets `target[key]`, also for `__proto__`, which plain assignment would take as the prototype. */
function put(target: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Reads structured data at `start`; returns it and the index past it, or an error. */
function readStructuredData(text: string, start: number): { data: JsonObject; end: number } | { error: string } {
  const data: JsonObject = {};
  let i = start;
  while (text.charCodeAt(i) === 91 /* [ */) {
    const idEnd = nameEnd(text, i + 1);
    if (idEnd === i + 1) return { error: 'structured data: empty SD-ID' };
    const id = text.slice(i + 1, idEnd);
    const element: JsonObject = Object.hasOwn(data, id) ? (data[id] as JsonObject) : {};
    put(data, id, element);
    i = idEnd;
    while (text.charCodeAt(i) === 32) {
      const nameStart = i + 1;
      const end = nameEnd(text, nameStart);
      if (end === nameStart || text.charCodeAt(end) !== 61 /* = */ || text.charCodeAt(end + 1) !== 34 /* " */) return { error: `structured data: bad parameter in [${id}]` };
      const value = readValue(text, end + 2);
      if (value === undefined) return { error: `structured data: unterminated value in [${id}]` };
      const name = text.slice(nameStart, end);
      const previous = Object.hasOwn(element, name) ? element[name] : undefined;
      // A repeated name (allowed by §6.3.3) keeps every value, in order.
      put(element, name, previous === undefined ? value.value : Array.isArray(previous) ? [...previous, value.value] : [previous, value.value]);
      i = value.end;
    }
    if (text.charCodeAt(i) !== 93 /* ] */) return { error: `structured data: expected ] after [${id}]` };
    i++;
  }
  if (i === start) return { error: 'structured data: expected - or [' };
  return { data, end: i };
}

/** End of an SD-NAME: printable ASCII except `=`, space, `]` and `"`. */
function nameEnd(text: string, start: number): number {
  let i = start;
  for (; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 32 || code >= 127 || code === 61 || code === 93 || code === 34) break;
  }
  return i;
}

/** A PARAM-VALUE from just after its opening quote: `\"`, `\\` and `\]` unescaped, any other backslash kept (§6.3.3). */
function readValue(text: string, start: number): { value: string; end: number } | undefined {
  let value = '';
  let from = start;
  for (let i = start; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 34) return { value: value + text.slice(from, i), end: i + 1 };
    if (code === 92 /* \ */ && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next === 34 || next === 92 || next === 93) {
        value += text.slice(from, i);
        from = i + 1;
        i++;
      }
    }
  }
  return undefined;
}

/** The message part: a leading BOM (§6.4, MSG-UTF8) and trailing line ends or NULs dropped. */
export function cleanMessage(text: string, start: number): string {
  let end = text.length;
  while (end > start && (text.charCodeAt(end - 1) === 10 || text.charCodeAt(end - 1) === 13 || text.charCodeAt(end - 1) === 0)) end--;
  const from = text.charCodeAt(start) === 0xfeff ? start + 1 : start;
  return from >= end ? '' : text.slice(from, end);
}

/**
 * Parses an RFC 5424 message whose `<PRI>` (value `pri`) ends at `start`, which must be where
 * `1 ` (the version) begins. Header fields that are `-` (NILVALUE) are left out; structured
 * data becomes `structured_data: { "<SD-ID>": { "<name>": "<value>" } }`. Lengths of header
 * fields are not enforced: senders exceed them, and a longer field harms nobody.
 */
export function parseRfc5424(text: string, pri: number, start: number): SyslogParse {
  if (text.charCodeAt(start) !== 49 /* 1 */ || text.charCodeAt(start + 1) !== 32) return { error: 'rfc5424: unsupported version' };
  const header: string[] = [];
  let i = start + 2;
  for (let field = 0; field < 5; field++) {
    const space = text.indexOf(' ', i);
    if (space <= i) return { error: `rfc5424: header ends early (${['timestamp', 'hostname', 'app-name', 'procid', 'msgid'][field]})` };
    header.push(text.slice(i, space));
    i = space + 1;
  }
  const [stamp, hostname, appname, procid, msgid] = header;
  const event: LogEvent = {};
  if (stamp !== NIL) {
    const timestamp = rfc3339ToIso(stamp);
    if (timestamp === undefined) return { error: `rfc5424: bad timestamp ${JSON.stringify(stamp.slice(0, 40))}` };
    event.timestamp = timestamp;
  }
  setPriorityFields(event, pri);
  event.version = 1;
  if (hostname !== NIL) event.hostname = hostname;
  if (appname !== NIL) event.appname = appname;
  if (procid !== NIL) event.procid = procid;
  if (msgid !== NIL) event.msgid = msgid;
  if (text.charCodeAt(i) === 45 /* - */ && (i + 1 === text.length || text.charCodeAt(i + 1) === 32 || text.charCodeAt(i + 1) === 10)) {
    i++;
  } else {
    const sd = readStructuredData(text, i);
    if ('error' in sd) return { error: `rfc5424: ${sd.error}` };
    event.structured_data = sd.data;
    i = sd.end;
  }
  const separator = text.charCodeAt(i);
  if (i < text.length && separator !== 32 && separator !== 10 && separator !== 13 && separator !== 0) return { error: 'rfc5424: expected a space before the message' };
  event.message = i < text.length ? cleanMessage(text, i + 1) : '';
  return { event };
}
