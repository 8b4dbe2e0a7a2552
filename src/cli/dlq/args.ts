import { parseArgs } from 'node:util';

/** The `sluice dlq` subcommands, in the order the help lists them. */
export const DLQ_COMMANDS = ['list', 'stats', 'purge', 'replay'] as const;
export type DlqCommand = (typeof DLQ_COMMANDS)[number];

export const DLQ_USAGE = `Usage: sluice dlq <command> --path DIR [options]

Commands:
  list     Print queued entries: time, component, error, attempts, event preview
  stats    Print entry count, bytes, oldest and newest time, top errors
  purge    Delete every entry of the queue (needs --yes)
  replay   Send the entries into a pipeline's component; each leaves the queue once delivered

Options:
  -p, --path DIR         The dead-letter queue directory (required)
  -n, --limit N          list: most entries to print                [default: 100]
      --offset N         list: entries to skip first                [default: 0]
      --json             list, stats: print JSON instead of text
  -y, --yes              purge: really delete
  -c, --config FILE      replay: the pipeline config (YAML)
  -i, --into ID          replay: the transform or sink that receives the entries
      --batch-size N     replay: entries per batch                  [default: 500]
      --log-level LEVEL  replay: sluice's own log level             [default: warn]
  -h, --help             Show this help

replay runs the component named by --into and everything downstream of it, fed by the
queue instead of the config's sources, with dead-letter stages left out (an entry that
fails again stays queued) and state kept in <data_dir>/dlq_replay. It stops at the first
batch that fails. Exit codes: 0 ok, 1 failure (or entries not replayed), 2 usage.
`;

/** A mistake on the command line: exit code 2. */
export class DlqUsageError extends Error {
  override name = 'DlqUsageError';
}

/** What `sluice dlq` was asked to do. */
export interface DlqArgs {
  readonly command?: DlqCommand;
  readonly help: boolean;
  readonly path?: string;
  readonly limit: number;
  readonly offset: number;
  readonly json: boolean;
  readonly yes: boolean;
  readonly config?: string;
  readonly into?: string;
  readonly batchSize: number;
  readonly logLevel: string;
}

function count(name: string, text: string | undefined, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new DlqUsageError(`--${name} must be an integer of at least ${min}; got "${text}"`);
  return value;
}

/** Parses `argv` (what follows `dlq`) strictly: unknown options or commands are usage errors. */
export function parseDlqArgs(argv: readonly string[]): DlqArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        path: { type: 'string', short: 'p' },
        limit: { type: 'string', short: 'n' },
        offset: { type: 'string' },
        json: { type: 'boolean', default: false },
        yes: { type: 'boolean', short: 'y', default: false },
        config: { type: 'string', short: 'c' },
        into: { type: 'string', short: 'i' },
        'batch-size': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new DlqUsageError(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (command !== undefined && !(DLQ_COMMANDS as readonly string[]).includes(command)) {
    throw new DlqUsageError(`unknown dlq command "${command}"; commands: ${DLQ_COMMANDS.join(', ')}`);
  }
  if (positionals.length > 1) throw new DlqUsageError(`unexpected argument "${positionals[1]}"`);
  return {
    command: command as DlqCommand | undefined,
    help: values.help,
    path: values.path,
    limit: count('limit', values.limit, 100, 1),
    offset: count('offset', values.offset, 0, 0),
    json: values.json,
    yes: values.yes,
    config: values.config,
    into: values.into,
    batchSize: count('batch-size', values['batch-size'], 500, 1),
    logLevel: values['log-level'] ?? 'warn',
  };
}
