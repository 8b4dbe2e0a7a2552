import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LOG_LEVELS, type LogLevel } from '../observability/logger';

/** The subcommands, in the order the help lists them. */
export const COMMANDS = ['run', 'validate', 'graph'] as const;
export type Command = (typeof COMMANDS)[number];

export const DEFAULT_CONFIG = 'config/default.yaml';

export const USAGE = `Usage: sluice <command> [options]

Commands:
  run        Run a pipeline until its sources end or SIGTERM/SIGINT drains it
             (without -c: the default pipeline, and the log says which file)
  validate   Check a pipeline config; print every problem as file:line:col
  graph      Print the pipeline as a Mermaid flowchart
  docs       Print the component reference (--update FILE rewrites it in place)
  dlq        Inspect or replay a dead-letter queue (sluice dlq --help)
  test       Run the *.test.yaml cases beside a pipeline in virtual time (sluice test --help)

Options:
  -c, --config FILE      Pipeline config (YAML)          [default: ${DEFAULT_CONFIG}]
      --log-level LEVEL  ${LOG_LEVELS.join(', ')}  [default: info]
  -h, --help             Show this help
  -V, --version          Print the version

Exit codes: 0 ok, 1 runtime failure, 2 invalid config or usage.
`;

/** A mistake on the command line: exit code 2, with a hint to read the help. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** What the command line asked for. */
export interface CliArgs {
  readonly command?: Command;
  readonly config: string;
  /** No `-c` was given: `config` is the default pipeline, which `run` says it is running. */
  readonly defaultConfig: boolean;
  readonly logLevel: LogLevel;
  readonly help: boolean;
  readonly version: boolean;
}

/**
 * Parses `argv` (without node and the script) with `node:util`'s strict parser: unknown
 * options, a missing value or an unknown command are {@link UsageError}s, never guesses.
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'V', default: false },
      },
    });
  } catch (error) {
    // Node appends advice about '--' positionals that does not apply to sluice's arguments.
    // Duck-typed: node:util's TypeError may come from another realm (jest's VM sandbox).
    const message = typeof error === 'object' && error !== null && 'message' in error ? String(error.message) : String(error);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) throw new UsageError(`unexpected argument "${positionals[1]}"`);
  const command = positionals[0];
  if (command !== undefined && !(COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown command "${command}"; commands: ${[...COMMANDS, 'docs', 'dlq', 'test'].join(', ')}`);
  }
  const logLevel = values['log-level'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}; got "${logLevel}"`);
  }
  return {
    command: command as Command | undefined,
    config: values.config ?? defaultConfig(),
    defaultConfig: values.config === undefined,
    logLevel: logLevel as LogLevel,
    help: values.help,
    version: values.version,
  };
}

/**
 * The package's own root (found by walking up from this file), so the CLI works the same
 * from `src/` under ts-node/jest and from `dist/src/` once built.
 */
export function packageRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'sluice') return dir;
    if (dirname(dir) === dir) return from;
  }
}

export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string };
  return manifest.version ?? '0.0.0';
}

/**
 * `config/default.yaml` in the working directory when there is one (a project's own
 * default), else the one shipped with sluice: `sluice run` always has something to run.
 */
function defaultConfig(): string {
  if (existsSync(DEFAULT_CONFIG)) return DEFAULT_CONFIG;
  const embedded = resolve(packageRoot(), DEFAULT_CONFIG);
  return existsSync(embedded) ? embedded : DEFAULT_CONFIG;
}
