import type { Pipeline } from '../../graph/pipeline';
import { isMetricsRequest, type MetricsReply, type ReadinessReport } from './messages';

/** How often a worker looks whether its readiness changed (a report is sent only on change). */
const READINESS_POLL_MS = 200;

/**
 * The worker's half of the primary's API (`workers: N`): its metrics carry `worker="<index>"`
 * (so every series stays per worker once the primary merges them), it answers the primary's
 * metrics requests with its registry as JSON, and it reports its readiness whenever it
 * changes. The worker serves no API of its own. Returns a disposer.
 */
export function linkToPrimary(pipeline: Pipeline): () => void {
  const send = process.send?.bind(process);
  if (send === undefined) return () => undefined;
  const { registry } = pipeline.metrics;
  registry.setDefaultLabels({ worker: String(pipeline.shard.index) });
  const onMessage = (message: unknown): void => {
    if (!isMetricsRequest(message)) return;
    void registry.getMetricsAsJSON().then((metrics) => {
      const reply: MetricsReply = { type: 'sluice:metrics', id: message.id, metrics };
      if (process.connected) send(reply);
    });
  };
  process.on('message', onMessage);
  let last = '';
  const report = (): void => {
    const readiness: ReadinessReport = { type: 'sluice:readiness', state: pipeline.state, notReady: pipeline.health.notReady() };
    const text = JSON.stringify(readiness);
    if (text === last || !process.connected) return;
    last = text;
    send(readiness);
  };
  const timer = setInterval(report, READINESS_POLL_MS);
  timer.unref();
  report();
  return () => {
    clearInterval(timer);
    report();
    process.off('message', onMessage);
    // The cluster channel keeps a worker's event loop alive; once the run is over it must
    // not hold the exit back (main.ts would otherwise wait out its linger).
    process.channel?.unref();
  };
}
