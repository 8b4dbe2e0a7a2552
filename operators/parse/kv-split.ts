import type { JsonObject } from '../../src/core/event';

/** How {@link splitKeyValue} reads a text. */
export interface KeyValueSyntax {
  /** Separates pairs; `' '` (the default) means any run of spaces and tabs. */
  readonly fieldSeparator: string;
  /** Separates a key from its value; default `=`. */
  readonly valueSeparator: string;
  /** Characters that may quote a key or value (`"` by default); inside, a backslash escapes the next character. */
  readonly quotes: string;
  /** Most pairs read from one text; the rest is ignored. */
  readonly maxPairs: number;
}

/** The logfmt syntax (Go's `log/slog` text handler, logrus, Heroku): `level=info msg="a b" ok`. */
export const LOGFMT: KeyValueSyntax = Object.freeze({ fieldSeparator: ' ', valueSeparator: '=', quotes: '"', maxPairs: 512 });

/** Sets `target[key]`, also for `__proto__`, which plain assignment would take as the prototype. */
function put(target: JsonObject, key: string, value: string | boolean): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * One sticky RegExp that reads a whole pair from where it stands: blanks and pair separators
 * before it, the key (quoted or bare), optionally the value separator and the value (quoted
 * or bare), and anything left up to the next pair separator (`a="x"y` keeps "x"). Groups:
 * 1 key quote, 2 quoted key, 3 bare key, 4 value quote, 5 quoted value, 6 bare value.
 * Everything is optional, so it always matches; one native match per pair is about twice
 * as fast as a JavaScript loop over the characters.
 */
function compilePair(syntax: KeyValueSyntax): RegExp {
  const blankSeparated = syntax.fieldSeparator === ' ';
  const blank = '[ \\t\\r\\n]';
  const field = blankSeparated ? blank : escapeRegExp(syntax.fieldSeparator);
  const value = escapeRegExp(syntax.valueSeparator);
  const oneChar = (text: string): boolean => text.length === 1;
  const notKeyEnd =
    blankSeparated && oneChar(syntax.valueSeparator)
      ? `[^ \\t\\r\\n${value}]`
      : !blankSeparated && oneChar(syntax.fieldSeparator) && oneChar(syntax.valueSeparator)
        ? `[^${field}${value}]`
        : `(?:(?!${field}|${value})[^])`;
  const notValueEnd = blankSeparated ? '[^ \\t\\r\\n]' : oneChar(syntax.fieldSeparator) ? `[^${field}]` : `(?:(?!${field})[^])`;
  // A quoted token: its opening quote (captured), a body where a backslash escapes the next
  // character, and the same quote closing it (absent: the token runs to the end of the text).
  const quoted = (quoteGroup: number): string => {
    if (syntax.quotes === '') return '((?!))((?!))';
    const quoteClass = `[${escapeRegExp(syntax.quotes)}]`;
    if (oneChar(syntax.quotes)) return `(${quoteClass})((?:[^${escapeRegExp(syntax.quotes)}\\\\]|\\\\[^]|\\\\$)*)${quoteClass}?`;
    return `(${quoteClass})((?:(?!\\${quoteGroup})[^\\\\]|\\\\[^]|\\\\$)*)\\${quoteGroup}?`;
  };
  const gap = blankSeparated ? '' : '[ \\t]*';
  return new RegExp(`(?:${blank}|${field})*(?:${quoted(1)}|(${notKeyEnd}*))(?:${gap}${value}${gap}(?:${quoted(4)}|(${notValueEnd}*)))?${notValueEnd}*`, 'y');
}

const pairPatterns = new WeakMap<KeyValueSyntax, RegExp>();

/** `\"`, `\\`, `\n`, `\t` inside quotes; a lone backslash at the very end stays. */
function unescape(body: string): string {
  if (!body.includes('\\')) return body;
  return body.replace(/\\([^]?)/g, (_, next: string) => (next === 'n' ? '\n' : next === 't' ? '\t' : next === '' ? '\\' : next));
}

/**
 * Splits `key=value` text into an object of strings: `a=1 b="two words" c` gives
 * `{a: "1", b: "two words", c: true}` (a bare key is a flag, as in logfmt). A quoted value
 * may hold separators; `\"`, `\\`, `\n` and `\t` are unescaped inside quotes, and an
 * unterminated quote takes the rest of the text. A value runs to the next pair separator,
 * so it may hold the value separator (`url=/a?b=c`). Later duplicates win. Returns
 * undefined when the text holds no pair at all. Total: never throws; one native RegExp match
 * per pair (compiled once per syntax).
 */
export function splitKeyValue(text: string, syntax: KeyValueSyntax): JsonObject | undefined {
  let pair = pairPatterns.get(syntax);
  if (pair === undefined) {
    pair = compilePair(syntax);
    pairPatterns.set(syntax, pair);
  }
  const length = text.length;
  const pairs: JsonObject = {};
  let count = 0;
  let at = 0;
  while (at < length && count < syntax.maxPairs) {
    pair.lastIndex = at;
    const match = pair.exec(text);
    if (match === null || pair.lastIndex === at) break; // only trailing blanks were left
    at = pair.lastIndex;
    const key = match[1] !== undefined ? unescape(match[2]) : match[3].trim();
    if (key === '') continue;
    const value = match[4] !== undefined ? unescape(match[5]) : match[6] !== undefined ? match[6].trim() : true;
    put(pairs, key, value);
    count++;
  }
  return count === 0 ? undefined : pairs;
}
