import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DeadLetterStore } from '../../dlq/store';
import { DLQ_USAGE, DlqUsageError, parseDlqArgs, type DlqArgs, type DlqCommand } from './args';
import { processIo, type DlqIo } from './io';
import { listCommand, purgeCommand, statsCommand } from './show';

export { DLQ_USAGE } from './args';
export { processIo, type DlqIo } from './io';

const HANDLERS: Record<DlqCommand, (args: DlqArgs, store: DeadLetterStore, io: DlqIo) => Promise<number>> = {
  list: listCommand,
  stats: statsCommand,
  purge: purgeCommand,
  // Loaded on demand: the pipeline runtime (every component) is only needed to replay.
  replay: async (args, store, io) => (await import('./replay')).replayCommand(args, store, io),
};

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * `sluice dlq <list|stats|purge|replay> --path DIR ...`: inspects, empties or replays a
 * dead-letter queue. `argv` is what follows `dlq`; resolves to the exit code (0 ok,
 * 1 failure, 2 usage). Errors are printed, never thrown.
 */
export async function runDlqCommand(argv: string[], io: DlqIo = processIo()): Promise<number> {
  let args: DlqArgs;
  try {
    args = parseDlqArgs(argv);
    if (args.help) {
      io.stdout(DLQ_USAGE);
      return 0;
    }
    if (!args.command) throw new DlqUsageError('missing command');
    if (args.path === undefined) throw new DlqUsageError('--path DIR is required (the dead-letter queue directory)');
  } catch (error) {
    if (!(error instanceof DlqUsageError)) throw error;
    io.stderr(`sluice dlq: ${error.message}\nRun "sluice dlq --help" for usage.\n`);
    return 2;
  }
  const dir = resolve(args.path);
  if (!(await isDirectory(dir))) {
    io.stderr(`sluice dlq: ${dir}: no dead-letter queue there (not a directory)\n`);
    return 1;
  }
  try {
    return await HANDLERS[args.command](args, new DeadLetterStore({ dir }), io);
  } catch (error) {
    if (error instanceof DlqUsageError) {
      io.stderr(`sluice dlq: ${error.message}\nRun "sluice dlq --help" for usage.\n`);
      return 2;
    }
    io.stderr(`sluice dlq ${args.command}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
