import type { Observable, SchedulerLike } from 'rxjs';
import type { Ack, AckListener } from '../core/ack';
import type { Credit } from '../core/credit';
import type { ComponentHealth } from '../core/health';
import type { EventHooks } from '../core/event-hooks';
import type { ComponentMetrics } from '../observability/metrics';
import type { Logger } from '../observability/logger';
import type { Shard } from '../core/shard';

/** The kinds of component a graph wires together. */
export type ComponentKind = 'source' | 'transform' | 'sink';

/** What every component is handed when the graph builds it. */
export interface ComponentContext {
  /** The component's name in the graph (`sinks.archive` → `archive`). */
  readonly id: string;
  readonly type: string;
  readonly kind: ComponentKind;
  /** All time (timeouts, backoff, windows) comes from here, so marble tests run it virtually. */
  readonly scheduler: SchedulerLike;
  readonly metrics: ComponentMetrics;
  readonly logger: Logger;
  /** A directory the component may keep state in (checkpoints, WAL segments). */
  readonly dataDir: string;
  /** Per-event hooks wired to this component's metrics, for `mapEvents`/`filterEvents`. */
  readonly hooks: EventHooks;
  /** This component's readiness, as `/ready` reports it (ready unless it says otherwise). */
  readonly health: ComponentHealth;
  /**
   * Which worker of a `workers: N` run this instance is; absent in a single-process run (and
   * in test harnesses). Sources that share work between workers read it (`shardOf`).
   */
  readonly shard?: Shard;
}

/** A source's context: its credit, and the signal to stop reading. */
export interface SourceContext extends ComponentContext {
  readonly credit: Credit;
  /**
   * Emits once when the pipeline is asked to stop. The source must then stop reading, emit
   * what it already read, and complete: that completion is what drains the graph.
   */
  readonly stopping: Observable<void>;
  /**
   * Takes credit for a batch of `events` read as `bytes` and returns its ack. When the ack
   * settles the credit returns, failures are counted, and `onSettled` runs (commit the file
   * offset, answer the HTTP request).
   */
  track(events: number, bytes: number, onSettled?: AckListener): Ack;
}
