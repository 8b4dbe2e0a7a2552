import type { Worker } from 'node:cluster';
import { AggregatorRegistry, collectDefaultMetrics, Registry } from 'prom-client';
import type { ComponentStatus } from '../../core/health';
import type { PipelineState } from '../../graph/pipeline';
import type { ApiTarget, MetricsSource } from '../../servers/api';
import { isMetricsReply, isReadinessReport, type MetricsRequest, type ReadinessReport, type RegistryJson } from './messages';

/** A scrape waits this long for the workers; one restarting or wedged is left out of that scrape. */
const METRICS_TIMEOUT_MS = 2_000;

interface Gathering {
  readonly replies: RegistryJson[];
  waiting: number;
  readonly done: () => void;
}

/**
 * What the primary's API shows of its workers: `/metrics` and `/stats` merge every worker's
 * registry (each series labelled `worker="<index>"` by the worker itself, so nothing is
 * summed away) with the primary's own process metrics (`worker="primary"`); `/ready` is
 * ready only while every worker slot has a running worker that reported itself ready.
 * prom-client's `AggregatorRegistry.clusterMetrics()` yields only text, and `/stats` needs
 * the JSON, so the request is our own IPC message and the merge is its `aggregate`.
 */
export class ClusterView implements ApiTarget, MetricsSource {
  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;
  private readonly workers = new Map<number, Worker>();
  private readonly readiness = new Map<number, ReadinessReport>();
  private readonly gatherings = new Map<number, Gathering>();
  private readonly own = new Registry();
  private nextRequest = 0;
  private stopping = false;

  constructor(private readonly count: number) {
    this.own.setDefaultLabels({ worker: 'primary' });
    collectDefaultMetrics({ register: this.own, prefix: 'sluice_' });
  }

  /** Listens to worker `slot` (new or restarted). */
  track(slot: number, worker: Worker): void {
    this.workers.set(slot, worker);
    this.readiness.delete(slot);
    worker.on('message', (message: unknown) => {
      if (isReadinessReport(message)) this.readiness.set(slot, message);
      else if (isMetricsReply(message)) this.take(message.id, message.metrics);
    });
  }

  /** Worker `slot` exited: it is not ready, and no scrape waits for it. */
  forget(slot: number): void {
    this.workers.delete(slot);
    this.readiness.delete(slot);
  }

  markStopping(): void {
    this.stopping = true;
  }

  get state(): PipelineState {
    return this.stopping ? 'stopping' : 'running';
  }

  readonly health = {
    notReady: (): ComponentStatus[] => {
      const waiting: ComponentStatus[] = [];
      for (let slot = 0; slot < this.count; slot++) {
        const report = this.readiness.get(slot);
        const id = `worker-${slot}`;
        if (!this.workers.has(slot)) waiting.push({ id, state: 'down', reason: 'worker not running (restarting or finished)' });
        else if (report === undefined || report.state !== 'running') waiting.push({ id, state: 'starting', reason: `worker ${report?.state ?? 'starting'}` });
        else for (const status of report.notReady) waiting.push({ ...status, id: `${id}/${status.id}` });
      }
      return waiting;
    },
  };

  async metrics(): Promise<string> {
    return (await this.merged()).metrics();
  }

  async getMetricsAsJSON(): Promise<RegistryJson> {
    return (await this.merged()).getMetricsAsJSON();
  }

  private async merged(): Promise<Registry> {
    const replies = await this.gather();
    replies.push(await this.own.getMetricsAsJSON());
    return AggregatorRegistry.aggregate(replies);
  }

  /** Every connected worker's registry as JSON; those not answering within the timeout are left out. */
  private gather(): Promise<RegistryJson[]> {
    const id = (this.nextRequest += 1);
    const live = [...this.workers.values()].filter((worker) => worker.isConnected());
    return new Promise((resolve) => {
      const replies: RegistryJson[] = [];
      const timer = setTimeout(() => finish(), METRICS_TIMEOUT_MS);
      const finish = (): void => {
        clearTimeout(timer);
        this.gatherings.delete(id);
        resolve(replies);
      };
      this.gatherings.set(id, { replies, waiting: live.length, done: finish });
      if (live.length === 0) return finish();
      const request: MetricsRequest = { type: 'sluice:metrics?', id };
      for (const worker of live) worker.send(request);
    });
  }

  private take(id: number, metrics: RegistryJson): void {
    const gathering = this.gatherings.get(id);
    if (gathering === undefined) return; // a late answer to a scrape that already timed out
    gathering.replies.push(metrics);
    gathering.waiting -= 1;
    if (gathering.waiting === 0) gathering.done();
  }
}
