import type { Observable, OperatorFunction } from 'rxjs';
import type { Batch } from '../core/batch';
import type { Sink } from '../core/sink';
import type { InferIn, Shape } from '../config/schema';
import type { builtinSinks, builtinSources, builtinTransforms } from '../components/builtins';
import type { ComponentContext, SourceContext } from '../components/context';
import type { SinkCommonShape, SourceCommonShape } from '../components/define';
import type { sinkBlockOptions } from '../components/sink-blocks';
import type { fanOutOptions } from '../components/shapes';

type OptionsIn<D> = D extends { readonly options: infer S extends Shape } ? InferIn<S> : never;
/** A component's name, or one of its named outputs (`route_id.errors`: the output name is checked when the graph validates). */
type Inputs<N extends string> = { readonly inputs: ReadonlyArray<N | `${N}.${string}`> };
/** The reliability blocks every sink may carry (`buffer:`, `dead_letter:`, `retry:`, `circuit_breaker:`). */
type SinkBlocksIn = InferIn<typeof sinkBlockOptions>;
/** The `fan_out:` policy any source or transform read by several others may set. */
type FanOutIn = InferIn<typeof fanOutOptions>;

type BuiltinSourceSpec = {
  [K in keyof typeof builtinSources]: { readonly type: K } & OptionsIn<(typeof builtinSources)[K]> & InferIn<SourceCommonShape> & FanOutIn;
}[keyof typeof builtinSources];

type BuiltinTransformSpec<N extends string> = {
  [K in keyof typeof builtinTransforms]: { readonly type: K } & Inputs<N> & OptionsIn<(typeof builtinTransforms)[K]> & FanOutIn;
}[keyof typeof builtinTransforms];

type BuiltinSinkSpec<N extends string> = {
  [K in keyof typeof builtinSinks]: { readonly type: K } & Inputs<N> & OptionsIn<(typeof builtinSinks)[K]> & InferIn<SinkCommonShape> & SinkBlocksIn;
}[keyof typeof builtinSinks];

/** TypeScript only: a source written as a function of its context. */
export interface CustomSourceSpec extends InferIn<SourceCommonShape> {
  readonly source: (context: SourceContext) => Observable<Batch>;
}

/** TypeScript only: any operator as a transform (`pipe(...)` of sluice or RxJS operators). */
export interface CustomTransformSpec<N extends string = string> extends Inputs<N> {
  readonly operator: OperatorFunction<Batch, Batch>;
}

/** TypeScript only: any {@link Sink} driven by the generic batch → deliver stage. */
export interface CustomSinkSpec<N extends string = string> extends Inputs<N>, InferIn<SinkCommonShape>, SinkBlocksIn {
  readonly sink: Sink | ((context: ComponentContext) => Sink);
}

export type SourceSpec = BuiltinSourceSpec | CustomSourceSpec;
export type TransformSpec<N extends string = string> = BuiltinTransformSpec<N> | CustomTransformSpec<N>;
export type SinkSpec<N extends string = string> = BuiltinSinkSpec<N> | CustomSinkSpec<N>;

/** Pipeline-wide settings (YAML top level, beside the components). */
export interface PipelineSettings {
  /** Where components keep state (checkpoints, buffers). */
  readonly data_dir?: string;
  /** The HTTP server for /metrics, /health, /ready, /stats. */
  readonly api?: { readonly enabled?: boolean; readonly address?: string };
  /** How long a graceful stop may take before in-flight work is abandoned. */
  readonly shutdown_timeout?: number | string;
  /** Pipeline processes side by side under `sluice run` (`auto`: one per core); default 1. */
  readonly workers?: number | 'auto';
}

/**
 * A pipeline: named sources, transforms and sinks wired by `inputs:`. The same shape as
 * the YAML file. Input names are checked by the compiler: naming a component that does
 * not exist is a type error.
 */
export interface PipelineSpec<S extends string = string, T extends string = string> extends PipelineSettings {
  readonly sources: Readonly<Record<S, SourceSpec>>;
  readonly transforms?: Readonly<Record<T, TransformSpec<NoInfer<S | T>>>>;
  readonly sinks: Readonly<Record<string, SinkSpec<NoInfer<S | T>>>>;
}

/**
 * Declares a pipeline in TypeScript, typed end to end: component types, their options and
 * the names in `inputs` are all checked at compile time.
 *
 * @example
 * import { pipeline } from 'sluice';
 * const spec = pipeline({
 *   sources: { demo: { type: 'generator', count: 1000 } },
 *   transforms: { parsed: { type: 'json', inputs: ['demo'] } },
 *   sinks: { out: { type: 'console', inputs: ['parsed'] } },
 * });
 */
export function pipeline<S extends string, T extends string = never>(spec: PipelineSpec<S, T>): PipelineSpec<S, T> {
  return spec;
}
