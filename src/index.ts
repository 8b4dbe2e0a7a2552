/**
 * sluice's public entry: the core model, the operators, the component kit and the graph.
 * Explicit, alphabetical lists: what is exported here is the supported API.
 */
export { Ack, type AckListener, type AckOutcome } from './core/ack';
export { createBatch, estimateBytes, withEvents, type Batch } from './core/batch';
export { Credit, type CreditLimits } from './core/credit';
export { AckError, BatchDeliveryError, ConfigError, DeliveryError, type FailedEvent } from './core/errors';
export { EVENT_META, eventMeta, setEventMeta, type EventMeta, type JsonObject, type JsonValue, type LogEvent } from './core/event';
export { DELIVERED, type EventFailure, type SendResult, type Sink } from './core/sink';

export { batch, BatchAbandonedError, type BatchOptions } from '../operators/batch';
export { deliver, type DeliverOptions, type Delivery } from '../operators/deliver';
export { fanOut } from '../operators/fan-out';
export { tee } from '../operators/tee';
export { filterEvents } from '../operators/filter-events';
export { mapEvents, type EventHooks } from '../operators/map-events';

export { builtinRegistry, builtinSinks, builtinSources, builtinTransforms } from './components/builtins';
export type { ComponentContext, ComponentKind, SourceContext } from './components/context';
export { defineSink, defineSource, defineTransform, type SinkDefinition, type SourceDefinition, type TransformDefinition } from './components/define';
export { ComponentRegistry } from './components/registry';

export * as options from './config/schema';
export { loadYamlConfig, type LoadedConfig } from './config/yaml';

export { Pipeline, PipelineValidationError, type PipelineOptions, type PipelineState } from './graph/pipeline';
export { pipeline, type PipelineSpec, type SinkSpec, type SourceSpec, type TransformSpec } from './graph/spec';

export { createLogger, type Logger, type LogLevel } from './observability/logger';
export { PipelineMetrics } from './observability/metrics';
