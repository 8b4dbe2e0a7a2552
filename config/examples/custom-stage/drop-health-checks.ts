import type { OperatorFunction } from 'rxjs';
// In your project: import { filterEvents, type Batch, type EventHooks } from 'sluice';
import { filterEvents, type Batch, type EventHooks } from '../../../src';

/** Request paths of load-balancer and orchestrator probes: noise in the access log. */
export const PROBE_PATHS: readonly string[] = ['/healthz', '/readyz', '/livez'];

/**
 * A custom stage: drops access-log events for health-check probes. Built on `filterEvents`,
 * which settles the acks of what it drops (so the source's credit comes back) and hands the
 * survivors on under a pick of the ack (so a failure downstream still names the right event).
 *
 * ```
 * input:  -a-b-|     a = [GET /orders, GET /healthz], b = [GET /readyz]
 * output: -a---|     a = [GET /orders]; b's ack resolves at once, nothing is emitted for it
 * ```
 */
export function dropHealthChecks(paths: readonly string[] = PROBE_PATHS, hooks: EventHooks = {}): OperatorFunction<Batch, Batch> {
  const probes = new Set(paths);
  return filterEvents((event) => !(typeof event.path === 'string' && probes.has(event.path)), hooks);
}
