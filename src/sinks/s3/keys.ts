import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { LogEvent } from '../../core/event';
import { compilePath, getField, type FieldPath } from '../../core/field-path';
import { compileTemplate, PathRenderer } from '../strftime';

/** `{{ service }}`, `{{http.status}}`: an event field inside a key prefix. */
const FIELD_PART = /\{\{\s*([^{}\s]+)\s*\}\}/g;
/** Stands for a field part while the strftime renderer handles the time parts. */
const MARK = '\u0000';
/** AWS's "safe characters" for object keys; anything else in a field value becomes `_`. */
const UNSAFE = /[^A-Za-z0-9!_.*'()-]/g;
const SAFE_VALUE = /^[A-Za-z0-9!_.*'()-]+$/;
/** A field value longer than this is cut, so one odd field cannot push a key past S3's 1024 bytes. */
export const MAX_FIELD_VALUE_CHARS = 128;
/** S3's limit on the UTF-8 length of an object key. */
export const MAX_KEY_BYTES = 1024;

/**
 * A problem with a `key_prefix` template, or undefined when it is usable: an unknown strftime
 * directive, an unclosed `{{`, an invalid field path, a leading `/` or a control character.
 */
export function keyPrefixProblem(template: string): string | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(template)) return 'must not contain control characters';
  if (template.startsWith('/')) return 'must not start with "/" (S3 keys have no leading slash; it would make an empty first path segment)';
  const withoutFields = template.replace(FIELD_PART, (_, path: string) => {
    compilePath(path);
    return '';
  });
  if (withoutFields.includes('{{') || withoutFields.includes('}}')) return 'has an unclosed or empty `{{ field }}` part';
  compileTemplate(withoutFields);
  return undefined;
}

/** A field value as a key segment: scalars only, unsafe characters replaced, length bounded. */
function segment(value: unknown, missing: string): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else return missing;
  if (text.length === 0) return missing;
  if (text.length > MAX_FIELD_VALUE_CHARS) text = text.slice(0, MAX_FIELD_VALUE_CHARS);
  if (!SAFE_VALUE.test(text)) text = text.replace(UNSAFE, '_');
  // `.` and `..` are path navigation to many tools that read the bucket as a tree.
  return /^\.+$/.test(text) ? '_'.repeat(text.length) : text;
}

/**
 * Renders an object key prefix from an event: strftime parts (`%Y %m %d %H %M %S %F`, UTC)
 * from its timestamp, `{{ field }}` parts from its fields, so that
 * `service={{ service }}/date=%F/` gives `service=api/date=2024-05-01/`. A field that is
 * missing, empty or not a scalar renders as `missing`; characters outside AWS's safe set
 * (letters, digits, `! - _ . * ' ( )`) become `_`, so a value cannot add path segments.
 * The time parts reuse the file sink's {@link PathRenderer} (cached per hour-key).
 */
export class KeyPrefixRenderer {
  private readonly time: PathRenderer;
  private readonly fields: FieldPath[] = [];
  private lastTimed: string | undefined;
  private pieces: string[] = [];

  constructor(
    template: string,
    private readonly missing: string,
  ) {
    const problem = keyPrefixProblem(template);
    if (problem !== undefined) throw new Error(`key_prefix ${JSON.stringify(template)} ${problem}`);
    const timeTemplate = template.replace(FIELD_PART, (_, path: string) => {
      this.fields.push(compilePath(path));
      return MARK;
    });
    this.time = new PathRenderer(timeTemplate);
  }

  /** The prefix for one event; `fallbackIso` supplies the time when the event has no usable timestamp. */
  prefixFor(event: LogEvent, fallbackIso: () => string): string {
    const timed = this.time.pathFor(event.timestamp, fallbackIso);
    const fields = this.fields;
    if (fields.length === 0) return timed;
    if (timed !== this.lastTimed) {
      this.lastTimed = timed;
      this.pieces = timed.split(MARK);
    }
    const pieces = this.pieces;
    let out = pieces[0];
    for (let i = 0; i < fields.length; i++) out += segment(getField(event, fields[i]), this.missing) + pieces[i + 1];
    return out;
  }
}

/** This process's part of every object name: host, pid and a random tag drawn at start. */
export function instanceTag(host = hostname(), pid = process.pid, random = randomBytes(4).toString('hex')): string {
  const safeHost = host.replace(UNSAFE, '_').slice(0, 63) || 'host';
  return `${safeHost}-${pid}-${random}`;
}

/**
 * Names objects so that none ever overwrites another:
 * `<prefix><UTC time YYYYMMDDTHHMMSSZ>-<host>-<pid>-<random>-<sequence><extension>`.
 * The sequence counts this process's objects; host and pid separate concurrent writers;
 * the random tag (drawn once per process) separates a restarted process that got the same
 * pid (pid 1 in every container) within the same second. The time comes first so that a
 * listing of one prefix is in upload order.
 */
export class ObjectNamer {
  private sequence = 0;

  constructor(
    private readonly extension: string,
    private readonly tag = instanceTag(),
  ) {}

  /** The next object key under `prefix`, stamped with `nowMs`. */
  next(prefix: string, nowMs: number): string {
    const iso = new Date(nowMs).toISOString();
    const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
    const sequence = String(this.sequence++).padStart(6, '0');
    return `${prefix}${stamp}-${this.tag}-${sequence}${this.extension}`;
  }
}
