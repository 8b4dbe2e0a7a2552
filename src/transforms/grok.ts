import { readFileSync, statSync } from 'node:fs';
import { list, optional, record, string, type SchemaIssue } from '../config/schema';
import { defineTransform } from '../components/define';
import { ConfigError } from '../core/errors';
import { parsePatternsFile } from '../../operators/parse/grok/compile';
import { grokLibraryFor, parseGrok } from '../../operators/parse/grok/grok';
import { issueOf, parseHooks, patternParseConfig, patternParseOptions } from './regex';

/** A patterns file is config, not data: anything larger is a mistake (a log file named by accident). */
const MAX_PATTERNS_FILE_BYTES = 1024 * 1024;

/** The stage's own patterns: those of `patterns_file`, then the inline ones (which win). */
function ownPatterns(config: { patterns: Record<string, string>; patterns_file?: string }): Record<string, string> {
  if (config.patterns_file === undefined) return config.patterns;
  let text: string;
  try {
    const size = statSync(config.patterns_file).size;
    if (size > MAX_PATTERNS_FILE_BYTES) throw new Error(`${size} bytes is over the ${MAX_PATTERNS_FILE_BYTES}-byte limit`);
    text = readFileSync(config.patterns_file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${config.patterns_file}: ${(error as Error).message}`);
  }
  return { ...parsePatternsFile(text, config.patterns_file), ...config.patterns };
}

/** Every problem of the patterns and expressions, each at its option: unknown names, bad regexes, with positions. */
function checkGrok(config: { match: string[]; patterns: Record<string, string>; patterns_file?: string }): SchemaIssue[] {
  let patterns: Record<string, string> = {};
  const fileIssues = issueOf(['patterns_file'], () => (patterns = ownPatterns(config)));
  if (fileIssues.length > 0) return fileIssues;
  let library: ReturnType<typeof grokLibraryFor> | undefined;
  const libraryIssues = issueOf(['patterns'], () => (library = grokLibraryFor(patterns)));
  if (library === undefined) return libraryIssues;
  const compiled = library;
  return config.match.flatMap((expression, index) => issueOf(['match', index], () => compiled.compile(expression)));
}

/** The `grok` transform: grok expressions over a built-in pattern library become fields. */
export const grokTransform = defineTransform({
  type: 'grok',
  summary: 'Parses a field with grok expressions (`%{IPORHOST:client} %{WORD:verb}`) over a built-in library of 91 patterns; unmatched events are tagged, kept or dropped.',
  options: {
    match: list(string({ description: 'A grok expression.' }), {
      description:
        'Grok expressions tried in order. `%{NAME}` matches a library pattern, `%{NAME:field}` captures it (a dotted or `[a][b]` name sets a nested field), `%{NAME:field:int}` / `:float` converts; plain regex syntax and `(?<field>...)` groups may sit between. Each compiles into one cached RegExp; an unknown pattern or bad regex is a config error naming its position.',
      example: ['%{COMBINEDAPACHELOG}', '%{COMMONAPACHELOG}'],
      minItems: 1,
    }),
    patterns: record(string({ description: 'A regex, which may refer to other patterns with `%{NAME}`.' }), {
      description: 'Patterns of this stage, by name (letters, digits, `_`), added to the built-in library (replacing a built-in of the same name).',
      default: {},
      example: { SERVICE: '[a-z][a-z0-9-]*', REQUEST_ID: '[0-9a-f]{16}' },
    }),
    patterns_file: optional(string({ description: 'A file of patterns, one `NAME regex` per line (`#` comments), read once at start (at most 1 MiB); inline `patterns` win over it.', example: '/etc/sluice/patterns.grok' })),
    ...patternParseOptions('grok_parse_error'),
  },
  example: { match: ['%{COMMONAPACHELOG}'] },
  check: checkGrok,
  create(config, ctx) {
    return parseGrok({ match: config.match, patterns: ownPatterns(config), ...patternParseConfig(config) }, parseHooks(ctx));
  },
});
