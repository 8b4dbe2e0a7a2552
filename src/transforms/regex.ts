import { boolean, integer, list, oneOf, optional, string, type SchemaIssue } from '../config/schema';
import { defineTransform } from '../components/define';
import type { ComponentContext } from '../components/context';
import { ConfigError } from '../core/errors';
import { compileRegex, DEFAULT_MAX_LENGTH, parseRegex, type PatternParseOptions } from '../../operators/parse/regex';
import type { ParseHooks } from '../../operators/parse/json';

/** The options `regex` and `grok` share: where to read and write, and what a failure does. */
export function patternParseOptions(errorTag: string) {
  return {
    field: string({ description: 'Dotted path of the string to match.', default: 'message', example: 'log' }),
    target: optional(string({ description: 'Dotted path to put the captured fields under; by default they are set at the event root (replacing fields of the same name).', example: 'http' })),
    mode: oneOf(['first', 'all'], {
      description: '`first`: patterns are tried in order and the first that matches sets its fields. `all`: every pattern that matches adds its fields, a later one replacing an earlier one\'s field of the same name.',
      default: 'first',
      example: 'all',
    }),
    on_failure: oneOf(['tag', 'keep', 'drop'], {
      description: 'What happens to an event no pattern matches: `tag` keeps it and adds `error_tag` to `tags`; `keep` keeps it unchanged; `drop` removes it (counted in `sluice_component_discarded_events_total`). Every failure counts as a `parse` error.',
      default: 'tag',
      example: 'drop',
    }),
    error_tag: string({ description: 'Tag added to `tags` of events no pattern matched (with `on_failure: tag`).', default: errorTag, example: 'unparsed' }),
    drop_field: boolean({ description: 'Remove the matched field once a pattern matched; by default the raw text stays beside the captured fields. A capture of the same name still lands.', default: false, example: true }),
    max_length: integer({
      description: 'Longest value (in characters) matched; a longer one counts as a failure without running a regex, so one huge line cannot stall the stage.',
      default: DEFAULT_MAX_LENGTH,
      example: 16_384,
      min: 1,
    }),
  };
}

type SharedConfig = { field: string; target?: string; mode: 'first' | 'all'; on_failure: 'tag' | 'keep' | 'drop'; error_tag: string; drop_field: boolean; max_length: number };

/** The shared options as the operator takes them. */
export function patternParseConfig(config: SharedConfig): PatternParseOptions {
  return { field: config.field, target: config.target, mode: config.mode, onFailure: config.on_failure, errorTag: config.error_tag, dropField: config.drop_field, maxLength: config.max_length };
}

/** The stage kit's hooks for a parser: errors, drops and parse failures counted in metrics. */
export function parseHooks(ctx: ComponentContext): ParseHooks {
  return { onError: ctx.hooks.onError, onDiscard: ctx.hooks.onDiscard, onParseError: () => ctx.metrics.error('parse') };
}

/** Runs `work`, turning a ConfigError into an issue at `path` (how validation reports a bad pattern with its position). */
export function issueOf(path: ReadonlyArray<string | number>, work: () => unknown): SchemaIssue[] {
  try {
    work();
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [{ path, message: error.message }];
  }
}

/** The `regex` transform: named groups of regular expressions become fields. */
export const regexTransform = defineTransform({
  type: 'regex',
  summary: 'Parses a field with regular expressions whose named groups become fields; unmatched events are tagged, kept or dropped.',
  options: {
    patterns: list(string({ description: 'A JavaScript regular expression.' }), {
      description:
        'Regular expressions tried in order. Each named group becomes a field: `(?<status>\\d+)`; a dotted name sets a nested field (`(?<http.status>\\d+)`), and `:int` / `:float` converts (`(?<bytes:int>\\d+)`). Compiled once; an invalid one is a config error naming its position.',
      example: ['^(?<client>\\S+) (?<verb>[A-Z]+) (?<path>\\S+) (?<status:int>\\d{3})$'],
      minItems: 1,
    }),
    ...patternParseOptions('regex_parse_error'),
  },
  example: { patterns: ['^(?<level>[A-Z]+) (?<message>.*)$'] },
  check: (config) => config.patterns.flatMap((pattern, index) => issueOf(['patterns', index], () => compileRegex(pattern))),
  create(config, ctx) {
    return parseRegex({ patterns: config.patterns, ...patternParseConfig(config) }, parseHooks(ctx));
  },
});
