import { parseCliArgs, packageVersion, UsageError, USAGE, type CliArgs, type Command } from './args';
import type { CliIo } from './load';
import { runCommand } from './run';

/**
 * The commands' modules are imported when the command runs, not with this file: the
 * component modules take about a second to load, and the primary of `workers: N`
 * (`run`'s other path) never needs them.
 */
const HANDLERS: Record<Command, (args: CliArgs, io: CliIo) => number | Promise<number>> = {
  run: runCommand,
  validate: async (args, io) => (await import('./validate')).validateCommand(args, io),
  graph: async (args, io) => (await import('./graph')).graphCommand(args, io),
};

/**
 * The whole CLI as a function of its arguments and output streams, returning the exit code
 * (0 ok, 1 runtime failure, 2 invalid config or usage). `main` is a thin shell around it,
 * so tests can drive every command in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  // `dlq` has subcommands and options of its own.
  if (argv[0] === 'dlq') return (await import('./dlq')).runDlqCommand(argv.slice(1), { ...io, interactive: io.interactive ?? false });
  if (argv[0] === 'docs') return (await import('./docs')).docsCommand(argv.slice(1), io);
  if (argv[0] === 'test') return (await import('./test')).testCommand(argv.slice(1), io);
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`sluice: ${error.message}\nRun "sluice --help" for usage.\n`);
    return 2;
  }
  if (args.version) {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  if (args.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (!args.command) {
    io.stderr(USAGE);
    return 2;
  }
  return HANDLERS[args.command](args, io);
}
