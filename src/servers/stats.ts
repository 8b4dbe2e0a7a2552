import type { Registry } from 'prom-client';

/** Events and bytes through one side of a component. */
export interface Flow {
  events: number;
  bytes: number;
}

/** One component's counters, as `/stats` reports them. */
export interface ComponentStats {
  kind: string;
  type: string;
  received: Flow;
  sent: Flow;
  errors: { total: number; by_type: Record<string, number> };
  discarded: { total: number; by_reason: Record<string, number> };
  /** Sources only: events read and not yet acknowledged. */
  in_flight_events?: number;
  /** Sources only: batches whose delivery failed permanently. */
  ack_failures?: number;
}

type Labels = Partial<Record<string, string | number>>;
type Apply = (stats: ComponentStats, value: number, labels: Labels) => void;

const add = (table: Record<string, number>, key: string | number | undefined, value: number): void => {
  const name = String(key ?? 'unknown');
  table[name] = (table[name] ?? 0) + value;
};

/**
 * Which metric family feeds which field. The stats are read back from the same families
 * `/metrics` exports, so the two views can never disagree (no second set of counters).
 */
const FIELDS: Record<string, Apply> = {
  sluice_component_received_events_total: (s, v) => void (s.received.events += v),
  sluice_component_received_bytes_total: (s, v) => void (s.received.bytes += v),
  sluice_component_sent_events_total: (s, v) => void (s.sent.events += v),
  sluice_component_sent_bytes_total: (s, v) => void (s.sent.bytes += v),
  sluice_component_errors_total: (s, v, l) => {
    s.errors.total += v;
    add(s.errors.by_type, l.error_type, v);
  },
  sluice_component_discarded_events_total: (s, v, l) => {
    s.discarded.total += v;
    add(s.discarded.by_reason, l.reason, v);
  },
  sluice_source_in_flight_events: (s, v) => {
    if (s.kind === 'source') s.in_flight_events = (s.in_flight_events ?? 0) + v;
  },
  sluice_source_ack_failures_total: (s, v) => {
    if (s.kind === 'source') s.ack_failures = (s.ack_failures ?? 0) + v;
  },
};

function emptyStats(labels: Labels): ComponentStats {
  const kind = String(labels.component_kind ?? 'unknown');
  const stats: ComponentStats = {
    kind,
    type: String(labels.component_type ?? 'unknown'),
    received: { events: 0, bytes: 0 },
    sent: { events: 0, bytes: 0 },
    errors: { total: 0, by_type: {} },
    discarded: { total: 0, by_reason: {} },
  };
  if (kind === 'source') Object.assign(stats, { in_flight_events: 0, ack_failures: 0 });
  return stats;
}

/**
 * Per-component counters keyed by `component_id`, grouped from the registry's own metric
 * families. A component appears once the graph has built it (its label children exist).
 */
export async function componentStats(registry: Pick<Registry, 'getMetricsAsJSON'>): Promise<Record<string, ComponentStats>> {
  const out: Record<string, ComponentStats> = {};
  for (const family of await registry.getMetricsAsJSON()) {
    const apply = FIELDS[family.name];
    if (!apply) continue;
    for (const { value, labels } of family.values) {
      const id = labels.component_id;
      if (id === undefined) continue;
      const stats = (out[String(id)] ??= emptyStats(labels));
      apply(stats, value, labels);
    }
  }
  return out;
}

/** Pipeline-wide totals for the start/stop log lines: what sources read, what sinks delivered. */
export function totals(stats: Record<string, ComponentStats>): { read: number; delivered: number; errors: number; discarded: number; ack_failures: number } {
  const sum = { read: 0, delivered: 0, errors: 0, discarded: 0, ack_failures: 0 };
  for (const component of Object.values(stats)) {
    if (component.kind === 'source') sum.read += component.sent.events;
    if (component.kind === 'sink') sum.delivered += component.sent.events;
    sum.errors += component.errors.total;
    sum.discarded += component.discarded.total;
    sum.ack_failures += component.ack_failures ?? 0;
  }
  return sum;
}
