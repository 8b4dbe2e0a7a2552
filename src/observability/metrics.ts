import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The labels every component metric carries. */
export type ComponentLabels = {
  readonly component_id: string;
  readonly component_type: string;
  readonly component_kind: 'source' | 'transform' | 'sink';
};

const LABELS = ['component_id', 'component_type', 'component_kind'] as const;

/**
 * One counter series on the hot path. prom-client's `labels(...).inc()` is not a resolved
 * child: every call rebuilds the label hash string, validates the labels and stamps an
 * exemplar time (~0.7 µs, four to six calls per batch per component). Here an increment
 * adds to a plain number, handed to prom-client when the registry is read (`collect`).
 */
export class PendingCount {
  private pending = 0;

  constructor(
    private readonly family: Counter<string>,
    private readonly labels: ComponentLabels,
  ) {
    // The series exists from the start (at 0), so dashboards and rate() see idle components.
    family.inc(labels, 0);
  }

  inc(value: number): void {
    this.pending += value;
  }

  flush(): void {
    if (this.pending === 0) return;
    const value = this.pending;
    this.pending = 0;
    this.family.inc(this.labels, value);
  }
}

/**
 * The metric families of one pipeline, in their own registry so that two pipelines (or two
 * tests) never share counters. This is the component contract: every registered component
 * emits received/sent events and bytes, errors by type and discarded events by reason.
 */
export class PipelineMetrics {
  private readonly pending: PendingCount[] = [];
  readonly registry = new Registry();
  readonly receivedEvents = this.counter('sluice_component_received_events_total', 'Events a component received.');
  readonly receivedBytes = this.counter('sluice_component_received_bytes_total', 'Bytes a component received (as read by the source).');
  readonly sentEvents = this.counter('sluice_component_sent_events_total', 'Events a component emitted or delivered.');
  readonly sentBytes = this.counter('sluice_component_sent_bytes_total', 'Bytes a component emitted or delivered.');
  readonly errors = this.counter('sluice_component_errors_total', 'Errors, by error_type.', ['error_type']);
  readonly discarded = this.counter('sluice_component_discarded_events_total', 'Events dropped on purpose or by policy, by reason.', ['reason']);
  readonly inFlight = new Gauge({ name: 'sluice_source_in_flight_events', help: 'Events a source has read and not yet seen acknowledged.', labelNames: LABELS, registers: [this.registry] });
  readonly processing = new Histogram({
    name: 'sluice_component_processing_seconds',
    help: 'Time a component spent on one batch (transforms: CPU time; sinks: one send).',
    labelNames: LABELS,
    buckets: [0.0001, 0.001, 0.005, 0.025, 0.1, 0.5, 2.5, 10],
    registers: [this.registry],
  });
  readonly ackFailures = this.counter('sluice_source_ack_failures_total', 'Batches whose delivery failed permanently, per source.');

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'sluice_' });
  }

  /** The metric handles of one component, with label children resolved once (hot path). */
  component(labels: ComponentLabels): ComponentMetrics {
    return new ComponentMetrics(this, labels);
  }

  /**
   * A component-labelled family outside the contract (a stage's own state or counts, such as
   * a circuit breaker's state), created on first use and shared by every component after.
   */
  family(kind: 'counter', name: string, help: string): Counter<string>;
  family(kind: 'gauge', name: string, help: string): Gauge<string>;
  family(kind: 'counter' | 'gauge', name: string, help: string): Counter<string> | Gauge<string> {
    const existing = this.registry.getSingleMetric(name);
    if (kind === 'counter' && existing instanceof Counter) return existing;
    if (kind === 'gauge' && existing instanceof Gauge) return existing;
    if (existing) throw new TypeError(`metric ${name} is already registered as another type`);
    return kind === 'counter' ? this.counter(name, help) : new Gauge({ name, help, labelNames: LABELS, registers: [this.registry] });
  }

  /**
   * A component-labelled counter family with labels of its own (documents per index,
   * rejections per reason), created on first use and shared by every component after.
   */
  labelledFamily(name: string, help: string, labelNames: readonly string[]): Counter<string> {
    const existing = this.registry.getSingleMetric(name);
    if (existing instanceof Counter) return existing;
    if (existing) throw new TypeError(`metric ${name} is already registered as another type`);
    return this.counter(name, help, [...labelNames]);
  }

  /** The gauge counterpart of {@link labelledFamily} (consumer lag per partition). */
  labelledGaugeFamily(name: string, help: string, labelNames: readonly string[]): Gauge<string> {
    const existing = this.registry.getSingleMetric(name);
    if (existing instanceof Gauge) return existing;
    if (existing) throw new TypeError(`metric ${name} is already registered as another type`);
    return new Gauge({ name, help, labelNames: [...LABELS, ...labelNames], registers: [this.registry] });
  }

  /** A hot-path series of one of the contract's counters, flushed whenever the registry is read. */
  pendingCount(family: Counter<string>, labels: ComponentLabels): PendingCount {
    const count = new PendingCount(family, labels);
    this.pending.push(count);
    return count;
  }

  private counter(name: string, help: string, extra: string[] = []): Counter<string> {
    const pending = this.pending;
    return new Counter({
      name,
      help,
      labelNames: [...LABELS, ...extra],
      registers: [this.registry],
      collect() {
        for (const count of pending) count.flush();
      },
    });
  }
}

/** One component's metrics: cheap to update per batch. */
export class ComponentMetrics {
  private readonly received;
  private readonly receivedB;
  private readonly sent;
  private readonly sentB;
  private readonly errorChildren = new Map<string, Counter.Internal>();
  private readonly discardChildren = new Map<string, Counter.Internal>();
  readonly inFlight;
  readonly processing;
  readonly ackFailures;

  constructor(
    private readonly families: PipelineMetrics,
    readonly labels: ComponentLabels,
  ) {
    this.received = families.pendingCount(families.receivedEvents, labels);
    this.receivedB = families.pendingCount(families.receivedBytes, labels);
    this.sent = families.pendingCount(families.sentEvents, labels);
    this.sentB = families.pendingCount(families.sentBytes, labels);
    this.inFlight = families.inFlight.labels(labels);
    this.processing = families.processing.labels(labels);
    this.ackFailures = families.ackFailures.labels(labels);
  }

  countReceived(events: number, bytes: number): void {
    this.received.inc(events);
    if (bytes > 0) this.receivedB.inc(bytes);
  }

  countSent(events: number, bytes: number): void {
    this.sent.inc(events);
    if (bytes > 0) this.sentB.inc(bytes);
  }

  /** Counts `count` errors of one type (`parse`, `callback`, `delivery`, ...). */
  error(errorType: string, count = 1): void {
    let child = this.errorChildren.get(errorType);
    if (!child) {
      child = this.families.errors.labels({ ...this.labels, error_type: errorType });
      this.errorChildren.set(errorType, child);
    }
    child.inc(count);
  }

  /** This component's series of a counter outside the contract (see {@link PipelineMetrics.family}). */
  counter(name: string, help: string): Counter.Internal {
    return this.families.family('counter', name, help).labels(this.labels);
  }

  /**
   * This component's series of a counter with one label of its own, by label value: each
   * child is resolved once. Values must come from a bounded set (the caller bounds them).
   */
  labelledCounter(name: string, help: string, label: string): (value: string) => Counter.Internal {
    const family = this.families.labelledFamily(name, help, [label]);
    const children = new Map<string, Counter.Internal>();
    return (value) => {
      let child = children.get(value);
      if (!child) {
        child = family.labels({ ...this.labels, [label]: value });
        children.set(value, child);
      }
      return child;
    };
  }

  /**
   * This component's series of a gauge with labels of its own (a Kafka partition's lag):
   * `set` one series, `remove` it when what it measured is gone (a revoked partition), so
   * the exposition never shows a stale value. Label values must come from a bounded set.
   */
  labelledGauge<L extends string>(name: string, help: string, labelNames: readonly L[]): { set(labels: Record<L, string>, value: number): void; remove(labels: Record<L, string>): void } {
    const family = this.families.labelledGaugeFamily(name, help, labelNames);
    return {
      set: (labels, value) => family.set({ ...this.labels, ...labels }, value),
      remove: (labels) => family.remove({ ...this.labels, ...labels }),
    };
  }

  /** This component's series of a gauge outside the contract (see {@link PipelineMetrics.family}). */
  gauge(name: string, help: string): Gauge.Internal<string> {
    return this.families.family('gauge', name, help).labels(this.labels);
  }

  /** Counts events dropped on purpose or by policy. */
  discard(reason: string, count: number): void {
    if (count <= 0) return;
    let child = this.discardChildren.get(reason);
    if (!child) {
      child = this.families.discarded.labels({ ...this.labels, reason });
      this.discardChildren.set(reason, child);
    }
    child.inc(count);
  }
}
