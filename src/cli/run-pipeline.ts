import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Pipeline } from '../graph/pipeline';
import { createLogger, type Logger } from '../observability/logger';
import { PipelineMetrics } from '../observability/metrics';
import { startApiServer, type ApiServer } from '../servers/api';
import { componentStats, totals } from '../servers/stats';
import type { CliArgs } from './args';
import { loadPipeline, reportLoadErrors, type CliIo } from './load';
import { FORCED_EXIT_CODE, trapStopSignals } from './signals';
import { summarize } from './validate';
import type { Shard } from '../core/shard';
import { linkToPrimary } from './workers/worker-link';

type Outcome = 'completed' | 'drained' | 'abandoned';

/** Starts the API when enabled; a port already taken is a runtime failure before any data is read. */
async function startApi(pipeline: Pipeline, logger: Logger): Promise<ApiServer | undefined | Error> {
  const { api } = pipeline.graph.settings;
  // A worker of `workers: N` serves nothing: the primary's API shows every worker.
  if (!api.enabled || pipeline.shard.count > 1) return undefined;
  try {
    const server = await startApiServer({ address: api.address, registry: pipeline.metrics.registry, pipeline, logger: logger.child({ component: 'api' }) });
    logger.info({ url: server.url }, 'API listening: /metrics /health /ready /stats');
    return server;
  } catch (error) {
    logger.error({ err: error, address: api.address }, 'cannot start the API server');
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Runs the pipeline until it drains by itself (every source completed: stdin at EOF, a
 * bounded generator) or a signal asks it to stop, whichever comes first.
 */
async function runUntilDone(pipeline: Pipeline, logger: Logger, stopSignal: Promise<NodeJS.Signals>): Promise<Outcome> {
  let signalled = false;
  const drained = pipeline.run().then(() => (signalled ? ('drained' as const) : ('completed' as const)));
  const stopped = stopSignal.then((signal) => {
    signalled = true;
    logger.info({ signal, budget_ms: pipeline.graph.settings.shutdown_timeout }, 'stopping: draining in-flight events (signal again to exit at once)');
    return pipeline.stop();
  });
  return Promise.race([drained, stopped]);
}

/**
 * `sluice run` of one pipeline (a single process, or one worker of `workers: N`): load and
 * validate (exit 2 on a bad config), serve the API (not in a worker), run the graph.
 * SIGTERM/SIGINT stop it gracefully within `shutdown_timeout`; a second signal exits at once.
 * Resolves to the exit code: 0 drained; 1 when in-flight work had to be abandoned, a
 * component crashed, or a batch failed permanently (some events were not delivered). A
 * source that fails to start (cannot bind or connect) stops the other sources, so the run
 * drains and exits 1 at once, with the source's error on stderr. The
 * caller sets it as `process.exitCode` rather than calling `process.exit`, so stdout is
 * never cut short.
 */
export async function runPipelineCommand(args: CliArgs, io: CliIo, shard: Shard | undefined): Promise<number> {
  const logger = shard === undefined ? createLogger(args.logLevel) : createLogger(args.logLevel).child({ worker: shard.index });
  // A bare `sluice run` (and `npm start`) is the first thing a new user types: say which
  // file it runs, so they know what to copy and edit.
  // (The primary of `workers: N` said it already; its workers stay quiet.)
  if (args.defaultConfig && shard === undefined) logger.info({ config: resolve(args.config) }, 'no -c FILE given: running the default pipeline (sluice run -c FILE runs your own)');
  const metrics = new PipelineMetrics({ processMetrics: true });
  const result = loadPipeline(args.config, io.env, { logger, metrics, shard });
  if (!result.ok) {
    // Every worker loads the same config: worker 0 speaks for them all.
    if ((shard?.index ?? 0) === 0) reportLoadErrors(io, result.errors);
    return 2;
  }
  const { pipeline } = result;
  const unlink = shard === undefined ? undefined : linkToPrimary(pipeline);
  let requestStop: (signal: NodeJS.Signals) => void = () => undefined;
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => (requestStop = resolve));
  let finished = false;
  const exitNow = (signal: NodeJS.Signals): void => {
    logger.warn({ signal }, finished ? 'signal while exiting: exiting now' : 'second signal: exiting without draining');
    pipeline.abort();
    process.exit(finished ? undefined : FORCED_EXIT_CODE);
  };
  // The trap stays for the rest of the process: once the run is over, any signal means "now".
  trapStopSignals((signal) => (finished ? exitNow(signal) : requestStop(signal)), exitNow);
  try {
    const api = await startApi(pipeline, logger);
    if (api instanceof Error) return 1;
    const started = performance.now();
    let outcome: Outcome;
    try {
      logger.info({ config: args.config, graph: summarize(pipeline.graph) }, 'sluice starting');
      outcome = await runUntilDone(pipeline, logger, stopSignal);
    } catch (error) {
      logger.error({ err: error }, 'pipeline failed to start');
      await api?.close();
      return 1;
    }
    await api?.close();
    const stats = await componentStats(metrics.registry);
    const sum = totals(stats);
    const crashed = Object.entries(stats).filter(([, s]) => (s.errors.by_type.stream ?? 0) > 0).map(([id]) => id);
    const elapsed_ms = Math.round(performance.now() - started);
    // A source that could not bind or connect stopped the run (src/sources/startup.ts): say why in plain words.
    const down = pipeline.health.notReady().filter((status) => status.state === 'down');
    for (const { id, reason = 'down' } of down) io.stderr(`sluice: ${reason.includes(`"${id}"`) ? reason : `component "${id}": ${reason}`}\n`);
    const failed = outcome === 'abandoned' || crashed.length > 0 || sum.ack_failures > 0;
    logger[failed ? 'error' : 'info']({ outcome, elapsed_ms, ...sum, crashed, down }, 'sluice stopped');
    return failed ? 1 : 0;
  } finally {
    finished = true;
    unlink?.();
  }
}
