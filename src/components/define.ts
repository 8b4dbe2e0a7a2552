import type { Observable, OperatorFunction } from 'rxjs';
import type { Batch } from '../core/batch';
import type { Sink } from '../core/sink';
import { bytes, duration, integer, object, oneOf, optional, type InferIn, type InferOut, type SchemaIssue, type Shape } from '../config/schema';
import type { ComponentContext, ComponentKind, SourceContext } from './context';
import { checkCompressionLevel, COMPRESSION_NAMES, compressionCodecs, type CompressionName } from '../../operators/compress';
import { ENCODING_NAMES, type EncodingName } from '../../operators/encode';
import type { OutputBatch } from '../../operators/route/outputs';

/** Options every source has: its credit bounds. */
export const sourceCommonOptions = {
  max_in_flight_events: integer({ description: 'Most events read but not yet acknowledged; reading pauses at this bound.', default: 20_000, min: 1 }),
  max_in_flight_bytes: bytes({ description: 'Most bytes read but not yet acknowledged; reading pauses at this bound.', default: 32 * 1024 * 1024, min: 1024 }),
};

/** The `batch:` block every sink has. */
export function sinkBatchOptions(defaults: { maxEvents: number; maxBytes: number; timeoutMs: number }) {
  return object(
    {
      max_events: integer({ description: 'Most events per send.', default: defaults.maxEvents, min: 1 }),
      max_bytes: bytes({ description: 'Send once a batch holds this many bytes.', default: defaults.maxBytes, min: 1 }),
      timeout: duration({ description: 'Send a partial batch this long after its first event.', default: defaults.timeoutMs, min: 0 }),
    },
    { description: 'How events are grouped into sends.' },
  );
}

/** Options every sink has. */
export function sinkCommonOptions(defaults: { maxEvents: number; maxBytes: number; timeoutMs: number }) {
  return {
    batch: sinkBatchOptions(defaults),
    concurrency: integer({ description: 'Most sends in flight at once.', default: 1, min: 1, max: 256 }),
    request_timeout: duration({
      description: 'Longest one send (and one start attempt) may take. At the deadline the send is aborted and its whole batch counts as a retryable failure.',
      default: 60_000,
      example: '30s',
      min: 1,
    }),
  };
}

/**
 * The `encoding`, `compression` and `compression_level` options of every sink that ships
 * bytes: one shared block, so every such sink spells and documents them the same way. The
 * sink turns them into a request builder with `requestOptions` (src/sinks/encoding.ts).
 */
export function sinkEncodingOptions<const E extends EncodingName>(defaults: { encoding: NoInfer<E>; encodings?: readonly E[]; compression?: CompressionName }) {
  return {
    encoding: oneOf<E>(defaults.encodings ?? (ENCODING_NAMES as readonly E[]), {
      description: '`ndjson`: one JSON object per line; `json_array`: one JSON array per request; `text`: the `message` only, one per line (events without a string message as JSON).',
      default: defaults.encoding,
      example: 'text' as E,
    }),
    compression: oneOf(COMPRESSION_NAMES, {
      description:
        'Compress each request body, off the event loop: `gzip`, `deflate` (zlib), `snappy` (framing format), `lz4` (frame), `zstd`; `batch.max_bytes` bounds the body before and after compression.',
      default: defaults.compression ?? 'none',
      example: 'gzip',
    }),
    compression_level: optional(integer({ description: "The codec's level: gzip, deflate 0 (stores) .. 9 (smallest), default 6; zstd 1 .. 22, default 3; snappy and lz4 have none.", example: 9, min: 0, max: 22 })),
  };
}

/** A compression level the chosen codec does not take, located at `compression_level`. */
export function checkEncodingOptions(config: { compression: CompressionName; compression_level?: number }): SchemaIssue[] {
  const problem = checkCompressionLevel(compressionCodecs.get(config.compression), config.compression_level);
  return problem === undefined ? [] : [{ path: ['compression_level'], message: problem }];
}

export type SourceCommonShape = typeof sourceCommonOptions;
export type SinkCommonShape = ReturnType<typeof sinkCommonOptions>;

interface Described<K extends ComponentKind, S extends Shape> {
  readonly kind: K;
  /** The `type:` that names it in YAML. */
  readonly type: string;
  /** One line for the component reference. */
  readonly summary: string;
  /** Its own options; the common ones of its kind are added. */
  readonly options: S;
  /** A minimal valid config; a test round-trips every example through validation. */
  readonly example: InferIn<S> & Record<string, unknown>;
  /**
   * Problems the option types alone cannot see (one option constraining another), with
   * paths relative to the component. Runs during validation, before anything starts.
   */
  check?(config: InferOut<S>): SchemaIssue[];
}

/** A source: turns a stream, socket or client into batches that honour credit. */
export interface SourceDefinition<S extends Shape = Shape> extends Described<'source', S> {
  create(config: InferOut<S & SourceCommonShape>, context: SourceContext): Observable<Batch>;
}

/** A transform: one operator from batches to batches. */
export interface TransformDefinition<S extends Shape = Shape> extends Described<'transform', S> {
  create(config: InferOut<S>, context: ComponentContext): OperatorFunction<Batch, Batch>;
  /**
   * Named outputs (a `route`): downstream components read one as `id.output`, never the bare
   * id, and the graph builds the transform from `outputs.create` instead of `create`.
   */
  readonly outputs?: TransformOutputs<InferOut<S>>;
}

/** How a transform with named outputs declares and tags them. */
export interface TransformOutputs<C> {
  /** The output names a config declares, in order. */
  names(config: C): readonly string[];
  /** The operator; every batch it emits names one of `names` as its output. */
  create(config: C, context: ComponentContext): OperatorFunction<Batch, OutputBatch>;
}

/** A sink: an I/O adapter driven by the generic batch → deliver stage. */
export interface SinkDefinition<S extends Shape = Shape> extends Described<'sink', S> {
  /** Defaults of the `batch:` block for this sink. */
  readonly batchDefaults: { maxEvents: number; maxBytes: number; timeoutMs: number };
  create(config: InferOut<S & SinkCommonShape>, context: ComponentContext): Sink;
}

/** Any component definition. */
export type ComponentDefinition = SourceDefinition | TransformDefinition | SinkDefinition;

/** Declares a source once: name, documented options, factory. */
export function defineSource<S extends Shape>(definition: Omit<SourceDefinition<S>, 'kind'>): SourceDefinition<S> {
  return { kind: 'source', ...definition };
}

/** Declares a transform once: name, documented options, factory. */
export function defineTransform<S extends Shape>(definition: Omit<TransformDefinition<S>, 'kind'>): TransformDefinition<S> {
  return { kind: 'transform', ...definition };
}

/** Declares a sink once: name, documented options, batch defaults, factory. */
export function defineSink<S extends Shape>(definition: Omit<SinkDefinition<S>, 'kind'>): SinkDefinition<S> {
  return { kind: 'sink', ...definition };
}
