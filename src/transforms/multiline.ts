import { bytes, duration, integer, list, oneOf, optional, string, type SchemaIssue } from '../config/schema';
import { defineTransform } from '../components/define';
import { groupLines } from '../../operators/parse/multiline/group-lines';
import { MULTILINE_MODES, multilineRuleOf } from '../../operators/parse/multiline/line-group-rule';
import { streamKey } from '../../operators/parse/multiline/stream-key';

/** The `multiline` transform: merges the lines of one event (a stack trace) per stream. */
export const multilineTransform = defineTransform({
  type: 'multiline',
  summary: 'Merges multi-line events (Java and Python stack traces) per stream, by a start or continuation pattern; the merged event acknowledges every line it took.',
  options: {
    mode: oneOf(MULTILINE_MODES, {
      description:
        'The file input\'s words for the same rule. `start_pattern`: lines matching `pattern` start an event, the others continue it. `continuation_pattern`: lines matching `pattern` continue the held event, the others start one. `continuation_whitespace`: lines beginning with a space or tab continue it (no pattern).',
      default: 'continuation_whitespace',
      example: 'start_pattern',
    }),
    pattern: optional(string({ description: 'JavaScript regular expression tested on each line (required by `start_pattern` and `continuation_pattern`).', example: '^\\d{4}-\\d{2}-\\d{2}' })),
    field: string({ description: 'Dotted path of the line text; merged lines are joined with `\\n` into it, the other fields come from the first line.', default: 'message', example: 'log' }),
    group_by: list(string({ description: 'A dotted field path.' }), {
      description: 'Fields whose values, with the batch\'s origin (source, file path, connection), name the stream a line belongs to: lines of different streams are never merged (`kubernetes.container`, `stream`).',
      default: [],
      example: ['kubernetes.pod', 'stream'],
    }),
    max_lines: integer({ description: 'Most lines in one event; the next line starts a new one.', default: 500, min: 1 }),
    max_bytes: bytes({ description: 'Most characters of one merged text (joins included); a line that would exceed it starts a new event.', default: 1024 * 1024, min: 1 }),
    flush_timeout: duration({ description: 'A held event that no line has joined for this long is emitted (the last trace of a quiet stream).', default: 1000, min: 1, example: '5s' }),
  },
  example: { mode: 'start_pattern', pattern: '^\\d{4}-\\d{2}-\\d{2}' },
  check(config) {
    const rule = multilineRuleOf(config.mode, config.pattern);
    const issues: SchemaIssue[] = [];
    if (typeof rule === 'string') issues.push({ path: ['pattern'], message: rule });
    return issues;
  },
  create(config, ctx) {
    const rule = multilineRuleOf(config.mode, config.pattern);
    if (typeof rule === 'string') throw new Error(`multiline: ${rule}`);
    return groupLines({
      rule,
      field: config.field,
      groupBy: streamKey(config.group_by),
      maxLines: config.max_lines,
      maxBytes: config.max_bytes,
      flushAfterMs: config.flush_timeout,
      scheduler: ctx.scheduler,
    });
  },
});
