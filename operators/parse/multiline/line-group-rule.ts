/**
 * How lines are grouped: a line either starts a new event or continues the one held.
 * `startPattern`: lines matching it start an event (`^\d{4}-` for timestamped logs), the
 * rest continue it. `continuationPattern`: lines matching it continue (`^\s` for Java stack
 * traces, "continuation lines start with whitespace"), the rest start an event.
 */
export type MultilineRule = { readonly startPattern: RegExp } | { readonly continuationPattern: RegExp };

/** How a YAML config names a rule: the file input's `multiline` block and the `multiline` stage use the same words. */
export const MULTILINE_MODES = ['start_pattern', 'continuation_pattern', 'continuation_whitespace'] as const;
export type MultilineMode = (typeof MULTILINE_MODES)[number];

/** Lines beginning with a space or tab continue the event (Java `\tat …` frames, indented tracebacks). */
const INDENTED = /^[ \t]/;

/**
 * The rule a config names, or why it cannot be built (a pattern missing, unexpected, or not a
 * regular expression): what a component's `check` reports and its `create` uses.
 */
export function multilineRuleOf(mode: MultilineMode, pattern: string | undefined): MultilineRule | string {
  if (mode === 'continuation_whitespace') return pattern === undefined ? { continuationPattern: INDENTED } : 'mode "continuation_whitespace" takes no pattern (use `continuation_pattern` with one)';
  if (pattern === undefined) return `mode "${mode}" needs a pattern`;
  try {
    const compiled = new RegExp(pattern);
    return mode === 'start_pattern' ? { startPattern: compiled } : { continuationPattern: compiled };
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
}

/** Bounds of one group: most lines, and most message characters (joins included). */
export interface LineGroupLimits {
  readonly maxLines: number;
  readonly maxBytes: number;
}

/**
 * The grouping decision shared by the file input's {@link MultilineFramer} and the
 * `multiline` stage, so both read the same YAML rule the same way: whether a line starts a
 * new group, and whether a held group is full. One place, so the two can never disagree
 * on where a stack trace ends.
 */
export class LineGroupRule {
  private readonly pattern: RegExp;
  private readonly startWhenMatched: boolean;
  readonly maxLines: number;
  readonly maxBytes: number;

  constructor(rule: MultilineRule, limits: LineGroupLimits) {
    if (!(limits.maxLines >= 1) || !(limits.maxBytes >= 1)) throw new RangeError('maxLines and maxBytes must be at least 1');
    this.maxLines = limits.maxLines;
    this.maxBytes = limits.maxBytes;
    this.startWhenMatched = 'startPattern' in rule;
    // A global or sticky pattern keeps state between test() calls: strip those flags.
    const pattern = 'startPattern' in rule ? rule.startPattern : rule.continuationPattern;
    this.pattern = new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
  }

  /** True when `line` begins a new event rather than continuing the one held. */
  startsEvent(line: string): boolean {
    return this.pattern.test(line) === this.startWhenMatched;
  }

  /**
   * True when a group of `lines` lines and `bytes` characters cannot take a line of
   * `length` more (joined with one `\n`): the line starts a new group instead.
   */
  isFull(lines: number, bytes: number, length: number): boolean {
    return lines >= this.maxLines || bytes + 1 + length > this.maxBytes;
  }
}
