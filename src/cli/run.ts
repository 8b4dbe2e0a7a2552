import { resolve } from 'node:path';
import { createLogger } from '../observability/logger';
import type { CliArgs } from './args';
import type { CliIo } from './load';
import { workersPlan } from './workers/plan';
import { shardFromEnv } from './workers/shard-env';

/**
 * `sluice run`. With `workers` above 1 (and not itself a worker) this process becomes the
 * primary, which loads no component: its modules are imported only on the pipeline path,
 * so the workers start a second sooner. Otherwise it runs the pipeline (run-pipeline.ts).
 */
export async function runCommand(args: CliArgs, io: CliIo): Promise<number> {
  // Set when a primary forked this process as one of its workers (`workers: N`).
  const shard = shardFromEnv(io.env);
  const plan = shard === undefined ? workersPlan(args.config, io.env) : undefined;
  if (plan !== undefined) {
    const logger = createLogger(args.logLevel);
    if (args.defaultConfig) logger.info({ config: resolve(args.config) }, 'no -c FILE given: running the default pipeline (sluice run -c FILE runs your own)');
    const { runPrimary } = await import('./workers/primary');
    return runPrimary(plan, logger);
  }
  const { runPipelineCommand } = await import('./run-pipeline');
  return runPipelineCommand(args, io, shard);
}
