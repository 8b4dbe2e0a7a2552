/**
 * sluice's public entry: the core model, the operators, the component kit and the graph.
 * Explicit, alphabetical lists: what is exported here is the supported API.
 */
export { Ack, type AckListener, type AckOutcome, type AckPart } from './core/ack';
export { createBatch, estimateBytes, withEvents, type Batch, type BatchMeta } from './core/batch';
export { Credit, type CreditLimits } from './core/credit';
export { AckError, BatchDeliveryError, ConfigError, DeliveryError, isRetryable, type FailedEvent } from './core/errors';
export type { EventHooks } from './core/event-hooks';
export { HealthBoard, type ComponentHealth, type ComponentState, type ComponentStatus } from './core/health';
export { EVENT_META, eventMeta, setEventMeta, type EventMeta, type JsonObject, type JsonValue, type LogEvent } from './core/event';
export { DELIVERED, type EventFailure, type SendOptions, type SendResult, type Sink, type StartOptions } from './core/sink';

export { batch, BatchAbandonedError, type BatchOptions } from '../operators/batch';
export { bufferFromConfig, bufferTransform } from './transforms/buffer';
export { diskBuffer, type DiskBufferOptions } from '../operators/buffer/disk';
export { memoryBuffer, type MemoryBufferOptions } from '../operators/buffer/memory';
export { BufferAbandonedError, BufferFullError, type WhenFull } from '../operators/buffer/policy';
export { CodecRegistry, compressionCodecs, COMPRESSION_NAMES, deflateCodec, gzipCodec, noCompression, type CompressionCodec, type CompressionName } from '../operators/compress';
export { checkCompressionLevel, lz4Codec, snappyCodec, zstdCodec, type CompressionLevels } from '../operators/compress';
export { deliver, type DeliverOptions, type Delivery } from '../operators/deliver';
export { ENCODERS, ENCODING_NAMES, encodeRequests, type EncodedBatch, type EncodedRequest, type Encoder, type EncodingName } from '../operators/encode';
export { buildRequests, type RequestOptions } from '../operators/encode-requests';
export { fanOut } from '../operators/fan-out';
export { tee, type TeeOptions, type TeeReader } from '../operators/tee';
export { filterEvents } from '../operators/filter-events';
export { mapEvents } from '../operators/map-events';
export { operate, type OperateHandlers, type OperateTarget } from '../operators/operate';
export { circuitBreakerFromConfig, circuitBreakerTransform } from './transforms/circuit-breaker';
export { circuitBreaker, CircuitOpenError, type CircuitBreakerOptions, type CircuitState } from '../operators/reliability/circuit-breaker';
export { deadLetter, DeadLetterAbandonedError, type DeadLetterOptions } from '../operators/reliability/dead-letter';
export { deadLetterFromConfig, deadLetterQueue, deadLetterTransform } from './transforms/dead-letter';
export { retry, type RetryOptions } from '../operators/reliability/retry';
export { Relay } from '../operators/relay';
export { retryFromConfig, retryTransform } from './transforms/retry';

export { aggregate, AggregateAbandonedError, type AggregateOptions } from '../operators/aggregate/aggregate';
export type { AggregateSpec, Refusal } from '../operators/aggregate/windows';
export { compileCondition, compilePredicate, type Condition, type ConditionSpec, type EventPredicate } from '../operators/transform/conditions';
export { convertFields, type ConvertOptions, type ConvertType } from '../operators/transform/convert';
export { copyFields, type CopyOptions } from '../operators/transform/copy';
export { dedupe, type DedupeOptions } from '../operators/transform/dedupe';
export { enrich, type EnrichOptions } from '../operators/transform/enrich';
export { filterByConditions } from '../operators/transform/filter';
export { redact, type RedactOptions } from '../operators/transform/redact';
export { removeFields } from '../operators/transform/remove';
export { renameFields, type RenameOptions } from '../operators/transform/rename';
export { sample, type SampleOptions } from '../operators/transform/sample';
export { throttle, type ThrottleOptions } from '../operators/transform/throttle';
export { compileRoutes, route, type Route, type RouteOptions } from '../operators/route/route';
export { splitOutputs, UNMATCHED, type OutputBatch } from '../operators/route/outputs';
export { parseCri, type ParseCriOptions } from '../operators/parse/cri';
export { readCsvRecord } from '../operators/parse/csv-record';
export { parseCsvLines, type ParseCsvOptions } from '../operators/parse/csv';
export { parseDocker, type ParseDockerOptions } from '../operators/parse/docker';
export { GrokLibrary } from '../operators/parse/grok/compile';
export { parseGrok, type ParseGrokOptions } from '../operators/parse/grok/grok';
export { parseJson, type ParseJsonOptions } from '../operators/parse/json';
export { parseKeyValue, type ParseKeyValueOptions } from '../operators/parse/kv';
export { splitKeyValue, LOGFMT, type KeyValueSyntax } from '../operators/parse/kv-split';
export { groupLines, type GroupLinesOptions } from '../operators/parse/multiline/group-lines';
export { mergeGroups } from '../operators/parse/multiline/merge-groups';
export { multilineRuleOf, type LineGroupRule, type MultilineMode } from '../operators/parse/multiline/line-group-rule';
export { parsePatterns, parseRegex, type ParseRegexOptions } from '../operators/parse/regex';
export { parseSyslogField, type ParseSyslogOptions } from '../operators/parse/syslog';
export { parseTimestampField, type ParseTimestampOptions } from '../operators/parse/time/timestamp';

export { builtinRegistry, builtinSinks, builtinSources, builtinTransforms } from './components/builtins';
export type { ComponentContext, ComponentKind, SourceContext } from './components/context';
export { defineSink, defineSource, defineTransform, type SinkDefinition, type SourceDefinition, type TransformDefinition } from './components/define';
export { ComponentRegistry } from './components/registry';

export * as options from './config/schema';
export { loadYamlConfig, readYamlConfig, type LoadedConfig } from './config/yaml';

export { Pipeline, PipelineValidationError, type PipelineOptions, type PipelineState } from './graph/pipeline';
export { pipeline, type PipelineSpec, type SinkSpec, type SourceSpec, type TransformSpec } from './graph/spec';

export { Checkpoint, CheckpointError, ContiguousRanges, KeyedCheckpoint, type CheckpointOptions, type Committer } from './sources/checkpoint';
export { multiline, newlineFraming, octetCounting, type Framer, type FramerFactory, type MultilineOptions, type NewlineFramingOptions, type OctetCountingOptions } from './sources/framing';
export { fromReadable, type ReadableSourceOptions } from './sources/readable';
export { bindUdp, listen, SourceStartError, startSource } from './sources/startup';
export { ApiKeys } from './sources/ingest/api-keys';
export { normalizeEvent, normalizeLevel, parseTimestamp, type NormalizeLimits, type NormalizeResult } from './sources/ingest/normalize';
export { ingestOptions, secureContextOptions, type AckMode, type AuthConfig, type RateLimitConfig, type TlsConfig } from './sources/ingest/options';
export { RateLimiter, type RateLimitOptions } from './sources/ingest/rate-limit';

export { DeadLetterStore } from './dlq/store';
export { Wal } from './wal/wal';

export { createLogger, type Logger, type LogLevel } from './observability/logger';
export { PipelineMetrics } from './observability/metrics';
