import cluster from 'node:cluster';
import type { Logger } from '../../observability/logger';
import { startApiServer, type ApiServer } from '../../servers/api';
import { openStdin, stdinIsFile } from '../../sources/stdin-open';
import { FORCED_EXIT_CODE, trapStopSignals } from '../signals';
import { ClusterView } from './cluster-view';
import { StdinForwarder } from './stdin-forward';
import type { WorkersPlan } from './plan';
import { Supervisor } from './supervisor';

/**
 * `sluice run` with `workers: N` (N > 1): this process becomes the primary. It runs no
 * pipeline; it forks N workers running the same command line with the same config and
 * environment (plus their index, see shard-env.ts), serves the API for all of them,
 * forwards its stdin to them when the graph reads stdin, restarts crashed workers, and
 * relays SIGTERM/SIGINT (each worker drains as a single process does). A second signal
 * kills them at once. Resolves to the worst worker exit code once every worker is over.
 * It reads only the config's settings (plan.ts) and loads no component.
 */
export async function runPrimary(plan: WorkersPlan, logger: Logger): Promise<number> {
  const { settings, readsStdin, count } = plan;
  // A regular file on stdin is shared: each worker reads its own range of it in place (no
  // copy through here). A pipe or terminal is read here and forwarded in whole-line chunks.
  const forwardsStdin = readsStdin && !stdinIsFile();
  // Workers inherit stdout/stderr; their stdin is a pipe from here only when we forward.
  cluster.setupPrimary({ stdio: [forwardsStdin ? 'pipe' : readsStdin ? 'inherit' : 'ignore', 'inherit', 'inherit', 'ipc'] });
  const view = new ClusterView(count);
  const forwarder = forwardsStdin ? new StdinForwarder(openStdin(), logger.child({ component: 'stdin-forward' })) : undefined;
  const supervisor = new Supervisor(count, logger, {
    started: (slot, worker) => {
      view.track(slot, worker);
      if (forwarder && worker.process.stdin) forwarder.attach(slot, worker.process.stdin);
    },
    exited: (slot) => {
      view.forget(slot);
      forwarder?.detach(slot);
    },
  });

  let api: ApiServer | undefined;
  if (settings.api.enabled) {
    try {
      api = await startApiServer({ address: settings.api.address, registry: view, pipeline: view, logger: logger.child({ component: 'api' }) });
      logger.info({ url: api.url, workers: count }, 'API listening: /metrics /health /ready /stats (all workers)');
    } catch (error) {
      logger.error({ err: error, address: settings.api.address }, 'cannot start the API server');
      return 1;
    }
  }

  let finished = false;
  const exitNow = (signal: NodeJS.Signals): void => {
    logger.warn({ signal }, 'second signal: killing the workers without draining');
    supervisor.kill();
    process.exit(finished ? undefined : FORCED_EXIT_CODE);
  };
  trapStopSignals((signal) => {
    if (finished) return exitNow(signal);
    logger.info({ signal, workers: supervisor.pids() }, 'stopping: every worker drains its in-flight events (signal again to exit at once)');
    view.markStopping();
    supervisor.stop('SIGTERM');
  }, exitNow);

  logger.info({ workers: count, stdin: forwardsStdin ? 'forwarded' : readsStdin ? 'file shared by range' : 'unused' }, 'sluice primary starting workers');
  supervisor.start();
  const code = await supervisor.done;
  finished = true;
  await api?.close();
  logger[code === 0 ? 'info' : 'error']({ code }, 'sluice primary stopped: every worker exited');
  return code;
}
