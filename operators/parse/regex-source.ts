import { ConfigError } from '../../src/core/errors';
import { compilePath, type FieldPath } from '../../src/core/field-path';

/** One capture that becomes a field: which group of the match, where it goes, how it converts. */
export interface CaptureField {
  /** The group's number in the match array. */
  readonly index: number;
  /** The field's name as written (`http.status`). */
  readonly name: string;
  readonly path: FieldPath;
  /** The single segment of a top-level field, written without walking a path (the hot case). */
  readonly top: string | undefined;
  readonly convert: 'int' | 'float' | undefined;
}

/** A regular expression compiled once, with the captures that become fields. */
export interface CompiledPattern {
  readonly regex: RegExp;
  readonly fields: readonly CaptureField[];
}

/** A field name in a group head: letters, digits, `_`, `@`, `-`, dots for nesting; then an optional `:int` / `:float`. */
const CAPTURE_NAME = /^([A-Za-z_@][\w@.-]*)(?::(int|float))?$/;

/** A named group found in a pattern: where its head starts and ends, and what it names. */
interface NamedHead {
  readonly start: number;
  readonly end: number;
  readonly name: string;
  readonly convert: 'int' | 'float' | undefined;
  readonly index: number;
}

/** 1-based position for messages: what an editor's column shows. */
const at = (offset: number): number => offset + 1;

/**
 * Walks a pattern's syntax: escapes, character classes, and each group's kind, numbering the
 * capturing ones as the engine will. Named groups are returned (to be rewritten as plain
 * groups, so field names may hold dots and hints, and no `groups` object is allocated per
 * match); unbalanced parentheses and unsupported named back-references are config errors.
 * `boundaries[k]` tells whether the prefix of length k ends between tokens (for locating errors).
 */
function scan(source: string, label: string): { heads: NamedHead[]; boundaries: boolean[]; depthAt: number[]; classAt: boolean[] } {
  const heads: NamedHead[] = [];
  const boundaries = new Array<boolean>(source.length + 1).fill(true);
  const depthAt = new Array<number>(source.length + 1).fill(0);
  const classAt = new Array<boolean>(source.length + 1).fill(false);
  const open: number[] = [];
  let inClass = false;
  let groups = 0;
  for (let i = 0; i < source.length; i++) {
    depthAt[i] = open.length;
    classAt[i] = inClass;
    const char = source[i];
    if (char === '\\') {
      if (!inClass && source.startsWith('k<', i + 1)) throw new ConfigError(`named back-references (\\k<...>) are not supported, at position ${at(i)} of ${label}`);
      boundaries[i + 1] = false;
      i++;
      if (i < source.length) depthAt[i] = open.length;
      continue;
    }
    if (inClass) {
      if (char === ']') inClass = false;
    } else if (char === '[') inClass = true;
    else if (char === ')') {
      if (open.pop() === undefined) throw new ConfigError(`unmatched ")" at position ${at(i)} of ${label}`);
    } else if (char === '(') {
      open.push(i);
      if (source[i + 1] !== '?') {
        groups++;
        continue;
      }
      const lookbehind = source[i + 2] === '<' && (source[i + 3] === '=' || source[i + 3] === '!');
      const named = source[i + 2] === '<' && !lookbehind;
      const headEnd = named ? source.indexOf('>', i + 3) : i + (lookbehind ? 4 : 3);
      if (named) {
        const spec = headEnd === -1 ? null : CAPTURE_NAME.exec(source.slice(i + 3, headEnd));
        if (spec === null) throw new ConfigError(`invalid group name at position ${at(i + 3)} of ${label}: expected letters, digits, "_", "@", "-" or dots, then an optional ":int" or ":float"`);
        groups++;
        heads.push({ start: i, end: headEnd + 1, name: spec[1], convert: spec[2] as 'int' | 'float' | undefined, index: groups });
      }
      for (let k = i + 1; k < headEnd && k <= source.length; k++) boundaries[k] = false;
    }
  }
  depthAt[source.length] = open.length;
  classAt[source.length] = inClass;
  if (inClass) throw new ConfigError(`unterminated character class "[" in ${label}`);
  if (open.length > 0) throw new ConfigError(`unterminated group "(" at position ${at(open[open.length - 1])} of ${label}`);
  return { heads, boundaries, depthAt, classAt };
}

/** `source` with each named-group head replaced: by a plain `(`, or (masked) by `(` and a no-op of the same length, so positions stay put. */
function rewrite(source: string, heads: readonly NamedHead[], keepPositions: boolean): string {
  let out = '';
  let from = 0;
  for (const head of heads) {
    // `x{000}` repeats nothing: a filler of any length ≥ 3 that changes no match.
    const filler = keepPositions ? `x{${'0'.repeat(head.end - head.start - 4)}}` : '';
    out += `${source.slice(from, head.start)}(${filler}`;
    from = head.end;
  }
  return out + source.slice(from);
}

const engineMessage = (error: unknown): string => String((error as Error).message).replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');

/**
 * The position where a pattern stops being valid: the first prefix that fails to compile
 * even with its open groups and class closed. Only runs for a pattern already known bad.
 */
function locate(masked: string, scanned: ReturnType<typeof scan>): number | undefined {
  for (let k = 1; k <= masked.length; k++) {
    if (!scanned.boundaries[k]) continue;
    const closers = (scanned.classAt[k] ? ']' : '') + ')'.repeat(scanned.depthAt[k]);
    try {
      new RegExp(masked.slice(0, k) + closers);
    } catch {
      return k - 1;
    }
  }
  return undefined;
}

/**
 * Compiles a JavaScript regular expression whose named groups name fields. Group names may
 * hold dots (`(?<http.status>…)` sets a nested field) and a type hint (`(?<bytes:int>…)`).
 * An invalid pattern throws a {@link ConfigError} with the 1-based position of the problem;
 * `label` is how messages quote the pattern (grok quotes the expression it came from).
 */
export function compileRegex(source: string, flags = '', label = JSON.stringify(source)): CompiledPattern {
  const scanned = scan(source, label);
  let regex: RegExp;
  try {
    regex = new RegExp(rewrite(source, scanned.heads, false), flags);
  } catch (error) {
    const masked = rewrite(source, scanned.heads, true);
    const position = locate(masked, scanned);
    const where = position === undefined ? '' : ` at position ${at(position)}`;
    throw new ConfigError(`invalid regex${where} of ${label}: ${engineMessage(error)}`);
  }
  const fields = scanned.heads.map((head): CaptureField => {
    let path: FieldPath;
    try {
      path = compilePath(head.name);
    } catch (error) {
      throw new ConfigError(`${(error as Error).message}, at position ${at(head.start)} of ${label}`);
    }
    return { index: head.index, name: head.name, path, top: path.length === 1 ? path[0] : undefined, convert: head.convert };
  });
  return { regex, fields };
}
