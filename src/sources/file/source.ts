import { defineSource } from '../../components/define';
import { boolean, bytes, duration, integer, list, object, oneOf, optional, string, type SchemaIssue } from '../../config/schema';
import { MultilineFramer, type MultilineRule } from '../framing/multiline';
import type { FileFramerFactory } from './file-reader';
import { LongLineFramer } from './long-lines';
import { tailFiles } from './tail';

const multilineOptions = optional(
  object(
    {
      mode: oneOf(['start_pattern', 'continuation_pattern', 'continuation_whitespace'] as const, {
        description: '`start_pattern`: a line matching `pattern` starts an event, the others continue it; `continuation_pattern`: a line matching `pattern` continues the event held; `continuation_whitespace`: lines starting with a space or tab continue it (Java stack traces).',
        default: 'continuation_whitespace',
        example: 'start_pattern',
      }),
      pattern: optional(string({ description: 'The regular expression (JavaScript syntax) of `start_pattern` or `continuation_pattern`.', example: '^\\d{4}-\\d{2}-\\d{2}' })),
      max_lines: integer({ description: 'Most lines in one event; the next line starts a new one.', default: 500, min: 1 }),
      max_bytes: bytes({ description: 'Most characters in one event (joins included); a line that would pass it starts a new one.', default: 1024 * 1024, min: 1 }),
      flush_timeout: duration({ description: 'An event held this long without a new line of its file is emitted.', default: 1000, min: 1, example: '500ms' }),
    },
    { description: 'Group lines into multi-line events inside the source, so the checkpoint of an event covers all its lines. Absent: one event per line.' },
  ),
);

/** The multi-line rule of the options (checked by `check`, so the pattern compiles). */
function multilineRule(options: { mode: string; pattern?: string }): MultilineRule {
  if (options.mode === 'continuation_whitespace') return { continuationPattern: /^[ \t]/ };
  const pattern = new RegExp(options.pattern ?? '');
  return options.mode === 'start_pattern' ? { startPattern: pattern } : { continuationPattern: pattern };
}

/**
 * Tails files (`type: file`): lines of the files `include` matches, followed across
 * rotation (rename + create, copytruncate, truncation, rewrite, deletion, `.gz`), with a
 * checkpoint per file identity under `data_dir` committed over the acknowledged prefix only.
 */
export const fileSource = defineSource({
  type: 'file',
  summary: 'Tails files: rotation-safe, checkpointed per file identity, with optional multi-line grouping.',
  options: {
    include: list(string({ description: 'A glob of files to tail (`*`, `**`, `{a,b}`, `[...]`); relative globs are resolved from the working directory.' }), {
      description: 'Files to tail. Symlinks are followed (each file is read once, under the first path that matched). Files ending in `.gz` are decompressed and read once.',
      minItems: 1,
      example: ['/var/log/app/*.log'],
    }),
    exclude: list(string({ description: 'A glob of files to skip: absolute, or relative to the fixed start of each `include` glob (`**/*.tmp`).' }), { description: 'Files matched by `include` to skip.', default: [], example: ['/var/log/app/*.gz'] }),
    read_from: oneOf(['beginning', 'end'] as const, {
      description: 'Where a file found by the first scan without a checkpoint starts. Files that appear later always start at their beginning; a file with a checkpoint resumes there.',
      default: 'beginning',
      example: 'end',
    }),
    ignore_older_than: optional(duration({ description: 'Files not modified for this long (and without a checkpoint) are not read.', example: '1d', min: 1 })),
    scan_interval: duration({ description: 'How often files are looked for and checked for growth, rotation and truncation; fs.watch wakes the tail sooner where it works.', default: 1000, min: 1, example: '250ms' }),
    eof_timeout: duration({ description: 'A last line without a newline is emitted once its file has not grown for this long.', default: 2000, min: 1, example: '5s' }),
    fingerprint_bytes: integer({ description: 'Bytes at the start of a file hashed into its identity with device and inode (fewer while the file is shorter: its identity then covers what it had when first read).', default: 1024, min: 1, max: 1024 * 1024 }),
    max_open_files: integer({ description: 'Most files held open at once; beyond it the least recently read idle file is closed and reopened when it grows.', default: 1024, min: 1 }),
    read_buffer: bytes({ description: 'Bytes read from one file per turn; files with data take turns (round-robin).', default: 256 * 1024, min: 1024, max: 64 * 1024 * 1024 }),
    max_line_bytes: bytes({ description: 'Longest line kept, in bytes; what happens to a longer one is `line_too_long`.', default: 1024 * 1024, min: 1, example: '64KiB' }),
    line_too_long: oneOf(['truncate', 'drop'] as const, {
      description: '`truncate`: keep the first `max_line_bytes` (cut on a character boundary), tagged with `truncated_tag`, counted as `errors_total{error_type="line_truncated"}`; `drop`: drop the line, counted as `discarded_events_total{reason="line_too_long"}`.',
      default: 'truncate',
      example: 'drop',
    }),
    truncated_tag: string({ description: 'Tag added to `tags` of a truncated line.', default: 'truncated', pattern: /^\S+$/ }),
    multiline: multilineOptions,
    path_field: optional(string({ description: 'Also write the file path into this field of each event (path, offset and inode are always kept as metadata beside it).', example: 'file' })),
    watch: boolean({ description: 'Use fs.watch on the directories to notice changes before the next scan.', default: true }),
    checkpoint_interval: duration({ description: 'Acknowledged positions are saved at most this often (atomically, and once more at shutdown).', default: 1000, min: 1, example: '5s' }),
  },
  example: { include: ['/var/log/app/*.log'] },
  check(config) {
    const issues: SchemaIssue[] = [];
    const multiline = config.multiline;
    if (multiline !== undefined && multiline.mode !== 'continuation_whitespace') {
      if (multiline.pattern === undefined) issues.push({ path: ['multiline', 'pattern'], message: `mode ${multiline.mode} needs a pattern` });
      else {
        try {
          new RegExp(multiline.pattern);
        } catch (error) {
          issues.push({ path: ['multiline', 'pattern'], message: `not a regular expression: ${(error as Error).message}` });
        }
      }
    }
    return issues;
  },
  create(config, ctx) {
    const { multiline } = config;
    const longLines = {
      maxLineBytes: config.max_line_bytes,
      policy: config.line_too_long,
      tag: config.truncated_tag,
      onLongLine: (policy: 'truncate' | 'drop') => (policy === 'drop' ? ctx.metrics.discard('line_too_long', 1) : ctx.metrics.error('line_truncated')),
    };
    const rule = multiline === undefined ? undefined : multilineRule(multiline);
    const frame: FileFramerFactory =
      multiline === undefined || rule === undefined
        ? () => ({ framer: new LongLineFramer(longLines) })
        : () => {
            const grouped = new MultilineFramer(new LongLineFramer(longLines), { rule, maxLines: multiline.max_lines, maxBytes: multiline.max_bytes });
            return { framer: grouped, multiline: grouped };
          };
    return tailFiles(ctx, {
      include: config.include,
      exclude: config.exclude,
      scanIntervalMs: config.scan_interval,
      readFrom: config.read_from,
      ignoreOlderThanMs: config.ignore_older_than,
      eofTimeoutMs: config.eof_timeout,
      flushTimeoutMs: multiline?.flush_timeout ?? config.eof_timeout,
      fingerprintBytes: config.fingerprint_bytes,
      maxOpenFiles: config.max_open_files,
      readBytes: config.read_buffer,
      checkpointIntervalMs: config.checkpoint_interval,
      pathField: config.path_field,
      watch: config.watch,
      frame,
    });
  },
});
