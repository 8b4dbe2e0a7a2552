import type { AckOutcome } from '../../core/ack';
import { ConfigError } from '../../core/errors';
import type { SourceContext } from '../../components/context';
import { loadYamlConfig, type LoadedConfig } from '../../config/yaml';
import { replayDeadLetters } from '../../dlq/replay';
import type { DeadLetterStore } from '../../dlq/store';
import { Pipeline, PipelineValidationError } from '../../graph/pipeline';
import { createLogger, LOG_LEVELS, type LogLevel } from '../../observability/logger';
import { FORCED_EXIT_CODE, trapStopSignals } from '../signals';
import { DlqUsageError, type DlqArgs } from './args';
import type { DlqIo } from './io';
import { Progress } from './progress';
import { replaySpec } from './replay-spec';

/** Reads the config; a problem with it is printed as `file:line:col: message` (exit 2). */
function load(file: string, io: DlqIo): LoadedConfig | undefined {
  try {
    return loadYamlConfig(file, io.env);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof ConfigError) io.stderr(`${error.format()}\n`);
    else if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') io.stderr(`${file}: cannot read the config file (${code})\n`);
    else throw error;
    return undefined;
  }
}

/**
 * `sluice dlq replay -c PIPELINE.yaml --path DIR --into ID`: runs {@link replaySpec}'s
 * one-shot pipeline until the queue (as it was at start) is drained, with progress on
 * stderr and a final `replayed N of M entries (F failed)`. Exit 0 when every entry was
 * delivered, 1 when some failed (they stay queued) or were not replayed, 2 on usage or
 * config errors. SIGINT/SIGTERM stop it gracefully (a second one exits at once).
 */
export async function replayCommand(args: DlqArgs, store: DeadLetterStore, io: DlqIo): Promise<number> {
  if (args.config === undefined || args.into === undefined) throw new DlqUsageError('replay needs --config FILE and --into COMPONENT_ID');
  if (!(LOG_LEVELS as readonly string[]).includes(args.logLevel)) throw new DlqUsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  const loaded = load(args.config, io);
  if (!loaded) return 2;
  const total = (await store.stats()).entries;
  let [replayed, failed] = [0, 0];
  const progress = new Progress(io, total);
  const onSettled = (events: number, outcome: AckOutcome): void => {
    if (outcome.ok) replayed += events;
    else failed += events;
    progress.update(replayed, failed);
  };
  const source = (context: SourceContext) => replayDeadLetters(store, context, { batchSize: args.batchSize, follow: false, pollIntervalMs: 1000, onSettled });
  let pipeline: Pipeline;
  try {
    pipeline = Pipeline.create(replaySpec(loaded.data, args.into, source), { logger: createLogger(args.logLevel as LogLevel), locate: loaded.toError });
  } catch (error) {
    if (!(error instanceof PipelineValidationError) && !(error instanceof ConfigError)) throw error;
    const lines = error instanceof PipelineValidationError ? error.errors.map((issue) => issue.format()) : [error.format()];
    io.stderr(`${lines.join('\n')}\n`);
    return 2;
  }
  if (total === 0) {
    io.stderr(`replayed 0 of 0 entries (0 failed): ${store.dir} is empty\n`);
    return 0;
  }
  const release = trapStopSignals(
    () => void pipeline.stop(),
    () => {
      pipeline.abort();
      process.exit(FORCED_EXIT_CODE);
    },
  );
  try {
    await pipeline.run();
  } finally {
    release();
  }
  progress.finish(replayed, failed);
  io.stderr(`replayed ${replayed} of ${total} entries (${failed} failed)\n`);
  const remaining = (await store.stats()).entries;
  if (remaining > 0) io.stderr(`${remaining} entr${remaining === 1 ? 'y remains' : 'ies remain'} in ${store.dir}\n`);
  return failed === 0 && replayed >= total ? 0 : 1;
}
