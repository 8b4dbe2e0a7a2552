import { bufferTransform } from '../transforms/buffer';
import { jsonTransform } from '../transforms/json';
import { circuitBreakerTransform } from '../transforms/circuit-breaker';
import { deadLetterTransform } from '../transforms/dead-letter';
import { retryTransform } from '../transforms/retry';
import { enrichTransform } from '../transforms/enrich';
import { filterTransform } from '../transforms/filter';
import { grokTransform } from '../transforms/grok';
import { regexTransform } from '../transforms/regex';
import { timestampTransform } from '../transforms/timestamp';
import { addFieldsTransform } from '../transforms/add-fields';
import { convertTransform } from '../transforms/convert';
import { copyTransform } from '../transforms/copy';
import { dedupeTransform } from '../transforms/dedupe';
import { redactTransform } from '../transforms/redact';
import { removeTransform } from '../transforms/remove';
import { renameTransform } from '../transforms/rename';
import { sampleTransform } from '../transforms/sample';
import { throttleTransform } from '../transforms/throttle';
import { routeTransform } from '../transforms/route';
import { aggregateTransform } from '../transforms/aggregate';
import { criTransform } from '../transforms/cri';
import { csvTransform } from '../transforms/csv';
import { dockerTransform } from '../transforms/docker';
import { kvTransform } from '../transforms/kv';
import { logfmtTransform } from '../transforms/logfmt';
import { multilineTransform } from '../transforms/multiline';
import { syslogTransform } from '../transforms/syslog';
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
import { fileSource } from '../sources/file/source';
import { kafkaSource } from '../sources/kafka';
import { ComponentRegistry } from './registry';

/** sluice's built-in sources, by YAML `type:`. */
export const builtinSources = { dead_letter: deadLetterSource, file: fileSource, generator: generatorSource, grpc: grpcSource, http: httpSource, kafka: kafkaSource, socket: socketSource, stdin: stdinSource, syslog: syslogSource } as const;

/** sluice's built-in transforms, by YAML `type:`. */
export const builtinTransforms = {
  add_fields: addFieldsTransform,
  aggregate: aggregateTransform,
  buffer: bufferTransform,
  circuit_breaker: circuitBreakerTransform,
  convert: convertTransform,
  copy: copyTransform,
  cri: criTransform,
  csv: csvTransform,
  dead_letter: deadLetterTransform,
  dedupe: dedupeTransform,
  docker: dockerTransform,
  enrich: enrichTransform,
  filter: filterTransform,
  grok: grokTransform,
  json: jsonTransform,
  kv: kvTransform,
  logfmt: logfmtTransform,
  multiline: multilineTransform,
  redact: redactTransform,
  regex: regexTransform,
  remove: removeTransform,
  rename: renameTransform,
  retry: retryTransform,
  route: routeTransform,
  sample: sampleTransform,
  syslog: syslogTransform,
  throttle: throttleTransform,
  timestamp: timestampTransform,
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
