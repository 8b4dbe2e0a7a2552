import { mkdirSync } from 'node:fs';
import { asyncScheduler, Subject, type SchedulerLike, type Subscription } from 'rxjs';
import { ConfigError } from '../core/errors';
import { HealthBoard } from '../core/health';
import { shardDataDir, SOLE_SHARD, type Shard } from '../core/shard';
import type { SchemaIssue } from '../config/schema';
import { builtinRegistry } from '../components/builtins';
import type { ComponentRegistry } from '../components/registry';
import { silentLogger, type Logger } from '../observability/logger';
import { PipelineMetrics } from '../observability/metrics';
import { buildGraph } from './build';
import { validateGraph, type ValidatedGraph } from './validate';

/** Thrown when a pipeline does not validate; holds every issue found. */
export class PipelineValidationError extends Error {
  override name = 'PipelineValidationError';
  constructor(
    readonly issues: readonly SchemaIssue[],
    readonly errors: readonly ConfigError[] = issues.map((issue) => new ConfigError(`${issue.path.join('.') || '(top level)'}: ${issue.message}`)),
  ) {
    super(`invalid pipeline:\n${errors.map((error) => `  ${error.format()}`).join('\n')}`);
  }
}

/** How to run a pipeline. */
export interface PipelineOptions {
  readonly registry?: ComponentRegistry;
  readonly scheduler?: SchedulerLike;
  readonly logger?: Logger;
  readonly metrics?: PipelineMetrics;
  /** Turns validation issues into located errors (the YAML loader supplies one). */
  readonly locate?: (issue: SchemaIssue) => ConfigError;
  /** Which worker of a `workers: N` run this pipeline is (its sources share the input); default: the only one. */
  readonly shard?: Shard;
}

/** The lifecycle states `/ready` and `/stats` report. */
export type PipelineState = 'created' | 'running' | 'stopping' | 'stopped';

/**
 * A validated graph that can run. `run()` resolves once every source has completed and
 * every sink has drained and closed; `stop()` asks the sources to stop, lets in-flight work
 * drain for up to `shutdown_timeout`, then abandons what is left (held acks are rejected,
 * so nothing a source acknowledged is lost: it was never acknowledged).
 */
export class Pipeline {
  readonly metrics: PipelineMetrics;
  readonly logger: Logger;
  /** Readiness of every component, by id (`/ready`). */
  readonly health = new HealthBoard();
  /** Which worker of a `workers: N` run this is. */
  readonly shard: Shard;
  private readonly scheduler: SchedulerLike;
  private readonly stopping = new Subject<void>();
  private subscription: Subscription | undefined;
  private finished: Promise<void> | undefined;
  private currentState: PipelineState = 'created';

  private constructor(
    readonly graph: ValidatedGraph,
    options: PipelineOptions,
  ) {
    this.metrics = options.metrics ?? new PipelineMetrics();
    this.logger = options.logger ?? silentLogger();
    this.scheduler = options.scheduler ?? asyncScheduler;
    this.shard = options.shard ?? SOLE_SHARD;
  }

  /** Where this pipeline keeps state: `data_dir`, or its worker's own directory under it. */
  get dataDir(): string {
    return shardDataDir(this.graph.settings.data_dir, this.shard);
  }

  /** Validates a spec (from TypeScript or parsed YAML); throws {@link PipelineValidationError}. */
  static create(spec: unknown, options: PipelineOptions = {}): Pipeline {
    const { graph, issues } = validateGraph(spec, options.registry ?? builtinRegistry());
    if (!graph) throw new PipelineValidationError(issues, options.locate ? issues.map(options.locate) : undefined);
    return new Pipeline(graph, options);
  }

  get state(): PipelineState {
    return this.currentState;
  }

  /** Starts every component; resolves when the graph has drained and the sinks are closed. */
  run(): Promise<void> {
    if (this.finished) return this.finished;
    mkdirSync(this.dataDir, { recursive: true });
    const built = buildGraph(
      this.graph,
      { metrics: this.metrics, logger: this.logger, scheduler: this.scheduler, dataDir: this.dataDir, health: this.health, shard: this.shard },
      this.stopping,
    );
    this.finished = new Promise<void>((resolve) => {
      this.subscription = built.deliveries.subscribe({
        complete: () => {
          this.currentState = 'stopped';
          resolve();
        },
      });
    });
    if (this.currentState === 'created') this.currentState = 'running';
    this.logger.info({ components: this.graph.order.length }, 'pipeline running');
    return this.finished;
  }

  /**
   * Graceful stop: sources stop reading and complete, partial batches flush, sinks drain
   * and close. After `timeoutMs` (default: the pipeline's `shutdown_timeout`) whatever is
   * still in flight is abandoned and its acks rejected.
   */
  async stop(timeoutMs = this.graph.settings.shutdown_timeout): Promise<'drained' | 'abandoned'> {
    if (!this.finished) return 'drained';
    if (this.currentState === 'running') {
      this.currentState = 'stopping';
      this.stopping.next();
      this.stopping.complete();
    }
    let timer: Subscription | undefined;
    const expired = new Promise<'abandoned'>((resolve) => {
      timer = this.scheduler.schedule(() => resolve('abandoned'), timeoutMs);
    });
    const outcome = await Promise.race([this.finished.then(() => 'drained' as const), expired]);
    timer?.unsubscribe();
    if (outcome === 'abandoned') {
      this.logger.warn({ timeoutMs }, 'shutdown budget spent; abandoning in-flight work');
      this.abort();
    }
    return outcome;
  }

  /** Tears the graph down at once (second signal): held acks are rejected. */
  abort(): void {
    this.subscription?.unsubscribe();
    this.currentState = 'stopped';
  }
}
