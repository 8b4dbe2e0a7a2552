import type { OperatorFunction } from 'rxjs';
import type { Batch } from '../../../src/core/batch';
import type { ParseHooks } from '../json';
import { parsePatterns, type PatternParseOptions } from '../regex';
import { BUILTIN_GROK, GrokLibrary } from './compile';

/** Options of {@link parseGrok}. */
export interface ParseGrokOptions extends PatternParseOptions {
  /** Grok expressions tried in order (`%{IPORHOST:client} %{WORD:verb}`), each compiled into one RegExp. */
  readonly match: readonly string[];
  /** Patterns of this stage, added to (or replacing) the built-in library: `{ NAME: regex }`. */
  readonly patterns?: Readonly<Record<string, string>>;
}

/**
 * The library an expression list compiles against: the shared built-in one (its compiled
 * expressions cached across stages), or one extended with the stage's own patterns.
 */
export function grokLibraryFor(patterns: Readonly<Record<string, string>> | undefined): GrokLibrary {
  return patterns === undefined || Object.keys(patterns).length === 0 ? BUILTIN_GROK : new GrokLibrary(patterns);
}

/**
 * Parses a field with grok expressions: `%{PATTERN:field}` captures a library pattern into a
 * field (`%{NUMBER:bytes:int}` converts it), dotted or `[a][b]` field names nest. Each
 * expression becomes one RegExp, compiled here once (and cached in its library); an unknown
 * pattern or bad regex throws a `ConfigError` with its position. Matching, `mode` and
 * `onFailure` are {@link parsePatterns}'; the default error tag is `grok_parse_error`.
 *
 * ```
 * source:  --a--|    a: {message: '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326'}
 * result:  --A--|    A: a + {clientip: '1.2.3.4', verb: 'GET', request: '/', response: 200, bytes: 2326, ...}
 * ```
 *
 * @example
 * import { parseGrok } from 'sluice';
 * const access = parseGrok({ match: ['%{COMMONAPACHELOG}'] });
 *
 * @see parseRegex
 * @see parsePatterns
 */
export function parseGrok(options: ParseGrokOptions, hooks: ParseHooks = {}): OperatorFunction<Batch, Batch> {
  const library = grokLibraryFor(options.patterns);
  const compiled = options.match.map((expression) => library.compile(expression));
  return parsePatterns(compiled, { ...options, errorTag: options.errorTag ?? 'grok_parse_error' }, hooks);
}
