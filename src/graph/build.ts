import { catchError, concat, defer, EMPTY, finalize, merge, tap, type Observable, type OperatorFunction } from 'rxjs';
import type { Batch } from '../core/batch';
import type { Sink } from '../core/sink';
import type { ComponentContext, SourceContext } from '../components/context';
import type { SinkDefinition, SourceDefinition, TransformDefinition, TransformOutputs } from '../components/define';
import { countSourceOutput, instrumentTransform } from '../components/instrument';
import { batch } from '../../operators/batch';
import { deliver, type Delivery } from '../../operators/deliver';
import { SinkLifecycle } from '../sinks/lifecycle';
import { componentContext, sourceContext, type ContextDeps } from './contexts';
import { ReplaySubject, take } from 'rxjs';
import { failRunBeforeFirstBatch } from '../sources/startup';
import { sinkBlockStages, type SinkBlocks } from '../components/sink-blocks';
import type { FanOutConfig } from '../components/shapes';
import { tee, type TeeReader } from '../../operators/tee';
import { splitOutputs, type OutputBatch } from '../../operators/route/outputs';
import { toError } from '../core/errors';
import type { GraphNode, ValidatedGraph } from './validate';

/** The running shape of a graph: one stream of deliveries, and the sinks to close. */
export interface BuiltGraph {
  readonly deliveries: Observable<Delivery>;
  readonly sinks: ReadonlyMap<string, Sink>;
}

type SinkBatchConfig = { max_events: number; max_bytes: number; timeout: number };

function createSource(node: GraphNode, context: SourceContext): Observable<Batch> {
  if (node.custom) return (node.custom as (ctx: SourceContext) => Observable<Batch>)(context);
  const definition = node.definition as SourceDefinition;
  return definition.create(node.config as Parameters<SourceDefinition['create']>[0], context);
}

function createTransform(node: GraphNode, context: ComponentContext): OperatorFunction<Batch, Batch> {
  if (node.custom) return node.custom as OperatorFunction<Batch, Batch>;
  return (node.definition as TransformDefinition).create(node.config, context);
}

function createSink(node: GraphNode, context: ComponentContext): Sink {
  if (!node.custom) return (node.definition as SinkDefinition).create(node.config as Parameters<SinkDefinition['create']>[0], context);
  return typeof node.custom === 'function' ? (node.custom as (ctx: ComponentContext) => Sink)(context) : (node.custom as Sink);
}

/**
 * Turns a validated graph into observables: sources honour credit, fan-in merges, fan-out
 * tees with ack retention, and every sink is the generic batch → deliver stage with the
 * sink closed once its input completes. A stage that errors (a bug, never bad data) ends
 * only its own path: the error is logged and counted, its siblings drain normally.
 */
export function buildGraph(graph: ValidatedGraph, deps: ContextDeps, stopping: Observable<void>): BuiltGraph {
  const outputs = new Map<string, TeeReader[]>();
  const sinks = new Map<string, Sink>();
  const ends: Observable<Delivery>[] = [];

  /** The node's share of each of its inputs; abandoning them rejects what the node held. */
  const readersOf = (node: GraphNode): TeeReader[] => node.inputs.map((input) => (outputs.get(input) as TeeReader[]).shift() as TeeReader);
  const abandonAll = (readers: TeeReader[]) => (reason: Error) => readers.forEach((reader) => reader.abandon(reason));
  // A source that fails to start (bind, connect) stops the other sources: the run drains what
  // they read, then fails with the source marked down (src/sources/startup.ts).
  const startFailed = new ReplaySubject<void>(1);
  const sourceStopping = merge(stopping, startFailed).pipe(take(1));

  for (const id of graph.order) {
    const node = graph.nodes.get(id) as GraphNode;
    const readers = graph.consumers.get(id)?.length ?? 0;
    if (node.kind === 'source') {
      const context = sourceContext(node, deps, sourceStopping);
      const failedStart = failRunBeforeFirstBatch<Batch>(context, () => startFailed.next());
      const source = defer(() => createSource(node, context)).pipe(countSourceOutput(context.metrics), failedStart, guard(context, () => undefined));
      outputs.set(id, tee(source, readers, node.config.fan_out as FanOutConfig));
    } else if (node.kind === 'transform' && node.outputs) {
      const context = componentContext(node, deps);
      const inputs = readersOf(node);
      const routed = merge(...inputs).pipe(namedOutputsStage(node, context), guard(context, abandonAll(inputs)));
      const read = node.outputs.filter((output) => (graph.consumers.get(`${id}.${output}`)?.length ?? 0) > 0);
      // An output nobody reads (an unwired `_unmatched`): its events are dropped on purpose, and counted.
      const streams = splitOutputs(routed, read, (output, count) => context.metrics.discard(`unread_output:${output}`, count));
      for (const output of read) {
        const port = `${id}.${output}`;
        outputs.set(port, tee(streams.get(output) as Observable<Batch>, graph.consumers.get(port)?.length ?? 0, node.config.fan_out as FanOutConfig));
      }
    } else if (node.kind === 'transform') {
      const context = componentContext(node, deps);
      const stage = instrumentTransform(createTransform(node, context), context.metrics);
      const inputs = readersOf(node);
      outputs.set(id, tee(merge(...inputs).pipe(stage, guard(context, abandonAll(inputs))), readers, node.config.fan_out as FanOutConfig));
    } else {
      const context = componentContext(node, deps);
      const sink = createSink(node, context);
      sinks.set(id, sink);
      const inputs = readersOf(node);
      const delivered = sinkStage(node, context, sink, abandonAll(inputs))(merge(...inputs));
      // A sink's path has ended once deliver completed: a share still held now was lost.
      const settleLeftovers = defer(() => {
        abandonAll(inputs)(new Error(`sink ${node.id} finished without settling every batch`));
        return EMPTY;
      });
      ends.push(concat(delivered, settleLeftovers, closeSink(sink, context)));
    }
  }
  return { deliveries: merge(...ends), sinks };
}

/**
 * A sink's path: batch → its reliability blocks → deliver. The sink is started first
 * ({@link SinkLifecycle}: retried with backoff while it cannot reach its server, reported on
 * `/ready`); until then deliver holds the batches, so credit pushes back on the sources.
 * Each send has the sink's `request_timeout` as its deadline.
 */
function sinkStage(node: GraphNode, context: ComponentContext, sink: Sink, onFailure: (reason: Error) => void): OperatorFunction<Batch, Delivery> {
  const options = node.config.batch as SinkBatchConfig;
  const timeoutMs = node.config.request_timeout as number;
  const { metrics } = context;
  return (input) =>
    defer(() => {
      const lifecycle = new SinkLifecycle(sink, context, { timeoutMs });
      const running = lifecycle.run();
      return input.pipe(
        countReceived(context),
        batch({ maxEvents: options.max_events, maxBytes: options.max_bytes, maxWaitMs: options.timeout, scheduler: context.scheduler }),
        sinkBlockStages(node.config as SinkBlocks, context),
        deliver(sink, {
          concurrency: node.config.concurrency as number,
          timeoutMs,
          scheduler: context.scheduler,
          ready: sink.start ? lifecycle.started : undefined,
          onDelivery(delivery, elapsedMs) {
            lifecycle.observe(delivery);
            metrics.processing.observe(elapsedMs / 1000);
            metrics.countSent(delivery.delivered, delivery.failures.length === 0 ? delivery.batch.bytes : 0);
            if (delivery.failures.length > 0) {
              metrics.error('delivery', delivery.failures.length);
              context.logger.warn({ err: delivery.failures[0].error, failed: delivery.failures.length }, 'send failed');
            }
          },
        }),
        guard(context, onFailure),
        finalize(() => running.unsubscribe()),
      );
    });
}

/**
 * A transform with named outputs, with the component contract of {@link instrumentTransform}:
 * events in, and events out on every output (an event routed to two outputs counts twice).
 */
function namedOutputsStage(node: GraphNode, context: ComponentContext): OperatorFunction<Batch, OutputBatch> {
  const definition = node.definition as TransformDefinition;
  const operator = (definition.outputs as TransformOutputs<unknown>).create(node.config, context);
  const { metrics } = context;
  return (input) =>
    input.pipe(
      countReceived(context),
      operator,
      tap(({ batch }) => metrics.countSent(batch.events.length, batch.bytes)),
    );
}

function countReceived(context: ComponentContext): OperatorFunction<Batch, Batch> {
  return tap((item) => context.metrics.countReceived(item.events.length, item.bytes));
}

function closeSink(sink: Sink, context: ComponentContext): Observable<never> {
  return defer(async () => {
    try {
      await sink.flush?.();
      await sink.close();
    } catch (error) {
      context.metrics.error('close');
      context.logger.error({ err: error }, 'sink failed to close cleanly');
    }
  }).pipe(catchError(() => EMPTY)) as Observable<never>;
}

/**
 * Ends a component's path on a stream error (a bug): logged, counted, what the path held
 * rejected through `onFailure` (its input shares), siblings unaffected.
 */
function guard<T>(context: ComponentContext, onFailure: (reason: Error) => void): OperatorFunction<T, T> {
  return catchError((error: unknown) => {
    onFailure(toError(error));
    context.metrics.error('stream');
    context.logger.error({ err: error }, 'component failed; its path of the graph has stopped');
    return EMPTY;
  });
}
