import { bufferTransform } from '../transforms/buffer';
import { jsonTransform } from '../transforms/json';
import { circuitBreakerTransform } from '../transforms/circuit-breaker';
import { deadLetterTransform } from '../transforms/dead-letter';
import { retryTransform } from '../transforms/retry';
import { enrichTransform } from '../transforms/enrich';
import { filterTransform } from '../transforms/filter';
import { blackholeSink } from '../sinks/blackhole';
import { consoleSink } from '../sinks/console';
import { elasticsearchSink } from '../sinks/elasticsearch/elasticsearch';
import { fileSink } from '../sinks/file';
import { kafkaSink } from '../sinks/kafka';
import { s3Sink } from '../sinks/s3';
import { generatorSource } from '../sources/generator';
import { stdinSource } from '../sources/stdin';
import { deadLetterSource } from '../sources/dead-letter';
import { httpSource } from '../sources/http/source';
import { grpcSource } from '../sources/grpc';
import { syslogSource } from '../sources/syslog/source';
import { socketSource } from '../sources/socket/source';
import { ComponentRegistry } from './registry';

/** sluice's built-in sources, by YAML `type:`. */
export const builtinSources = { dead_letter: deadLetterSource, generator: generatorSource, grpc: grpcSource, http: httpSource, socket: socketSource, stdin: stdinSource, syslog: syslogSource } as const;

/** sluice's built-in transforms, by YAML `type:`. */
export const builtinTransforms = {
  buffer: bufferTransform,
  circuit_breaker: circuitBreakerTransform,
  dead_letter: deadLetterTransform,
  enrich: enrichTransform,
  filter: filterTransform,
  json: jsonTransform,
  retry: retryTransform,
} as const;

/** sluice's built-in sinks, by YAML `type:`. */
export const builtinSinks = { blackhole: blackholeSink, console: consoleSink, elasticsearch: elasticsearchSink, file: fileSink, kafka: kafkaSink, s3: s3Sink } as const;

/** A fresh registry holding every built-in component. */
export function builtinRegistry(): ComponentRegistry {
  return new ComponentRegistry().register(
    ...Object.values(builtinSources),
    ...Object.values(builtinTransforms),
    ...Object.values(builtinSinks),
  );
}
