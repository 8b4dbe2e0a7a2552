import { join } from 'node:path';
import type { Observable, SchedulerLike } from 'rxjs';
import { Ack, type AckListener } from '../core/ack';
import { Credit } from '../core/credit';
import { LinkedSet } from '../core/linked-set';
import type { HealthBoard } from '../core/health';
import type { ComponentContext, SourceContext } from '../components/context';
import type { Logger } from '../observability/logger';
import type { PipelineMetrics } from '../observability/metrics';
import type { Shard } from '../core/shard';
import type { GraphNode } from './validate';

/** What every component context is built from. */
export interface ContextDeps {
  readonly metrics: PipelineMetrics;
  readonly logger: Logger;
  readonly scheduler: SchedulerLike;
  readonly dataDir: string;
  /** Where components report readiness (`/ready`). */
  readonly health: HealthBoard;
  /** This process's worker index and count (`workers: N`); absent: the only one. */
  readonly shard?: Shard;
}

/** The context of a transform or sink: its metrics, logger, scheduler, state directory. */
export function componentContext(node: GraphNode, deps: ContextDeps): ComponentContext {
  const metrics = deps.metrics.component({ component_id: node.id, component_type: node.type, component_kind: node.kind });
  const logger = deps.logger.child({ component: node.id, type: node.type });
  let callbackErrors = 0;
  return {
    id: node.id,
    type: node.type,
    kind: node.kind,
    scheduler: deps.scheduler,
    metrics,
    logger,
    dataDir: join(deps.dataDir, node.id),
    health: deps.health.register(node.id),
    shard: deps.shard,
    hooks: {
      onError(error) {
        metrics.error('callback');
        // Log the first few, then every 1000th: a broken callback must not flood the log.
        callbackErrors += 1;
        if (callbackErrors <= 3 || callbackErrors % 1000 === 0) logger.warn({ err: error, count: callbackErrors }, 'event callback threw; event kept unchanged');
      },
      onDiscard: (count) => metrics.discard('filtered', count),
    },
  };
}

/**
 * A source's context: credit from its `max_in_flight_*` options, and `track()`, which ties
 * each batch's ack to the credit, the in-flight gauge and the failure counter.
 */
export function sourceContext(node: GraphNode, deps: ContextDeps, stopping: Observable<void>): SourceContext {
  const base = componentContext(node, deps);
  // The acks out, so that a source waiting for credit can urge their holders to deliver now.
  const out = new LinkedSet<Ack>();
  const credit = new Credit(
    {
      maxEvents: node.config.max_in_flight_events as number,
      maxBytes: node.config.max_in_flight_bytes as number,
    },
    () => {
      for (const ack of out.values()) ack.urge();
    },
  );
  const { metrics, logger } = base;
  let failures = 0;
  const track = (events: number, bytes: number, onSettled?: AckListener): Ack => {
    credit.acquire(events, bytes);
    metrics.inFlight.inc(events);
    const ack = Ack.create((outcome) => {
      out.remove(node);
      credit.release(events, bytes);
      metrics.inFlight.dec(events);
      if (!outcome.ok) {
        metrics.ackFailures.inc();
        failures += 1;
        if (failures <= 3 || failures % 1000 === 0) logger.error({ err: outcome.reason, failures }, 'delivery failed permanently for a batch');
      }
      onSettled?.(outcome);
    });
    const node = out.add(ack);
    return ack;
  };
  return { ...base, credit, stopping, track };
}
