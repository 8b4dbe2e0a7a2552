import type { Registry } from 'prom-client';
import type { ComponentStatus } from '../../core/health';
import type { PipelineState } from '../../graph/pipeline';

/** The IPC messages between the primary and its workers (`workers: N`), all tagged `sluice:`. */

/** A registry as JSON, the form prom-client's `AggregatorRegistry.aggregate` merges. */
export type RegistryJson = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/** Worker → primary, whenever it changes: what `/ready` of that worker alone would say. */
export interface ReadinessReport {
  readonly type: 'sluice:readiness';
  readonly state: PipelineState;
  readonly notReady: readonly ComponentStatus[];
}

/** Primary → worker: send your registry as JSON (one scrape of `/metrics` or `/stats`). */
export interface MetricsRequest {
  readonly type: 'sluice:metrics?';
  readonly id: number;
}

/** Worker → primary: the answer to a {@link MetricsRequest}. */
export interface MetricsReply {
  readonly type: 'sluice:metrics';
  readonly id: number;
  readonly metrics: RegistryJson;
}

const tagged = (message: unknown, type: string): boolean =>
  typeof message === 'object' && message !== null && 'type' in message && message.type === type;

export const isReadinessReport = (message: unknown): message is ReadinessReport => tagged(message, 'sluice:readiness');
export const isMetricsRequest = (message: unknown): message is MetricsRequest => tagged(message, 'sluice:metrics?');
export const isMetricsReply = (message: unknown): message is MetricsReply => tagged(message, 'sluice:metrics');
