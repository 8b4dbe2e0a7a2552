import type { Scenario } from '../scenario';

/**
 * Every scenario, by name, in the order the table lists them. Loaded lazily, so a child
 * process loads only the scenario it runs (a plain-Node baseline never loads sluice).
 */
export const SCENARIOS: Readonly<Record<string, () => Promise<Scenario>>> = {
  generator_to_blackhole: async () => (await import('./generator_to_blackhole')).scenario,
  file_json_to_blackhole: async () => (await import('./file_json_to_blackhole')).scenario,
  cli_stdin_json_blackhole: async () => (await import('./cli_stdin_json_blackhole')).scenario,
  cli_pipe_json_blackhole: async () => (await import('./cli_pipe_json_blackhole')).scenario,
  regex_parsing: async () => (await import('./regex_parsing')).scenario,
  json_parse: async () => (await import('./json_parse')).scenario,
  regex_parsing_workers2: async () => (await import('./regex_parsing_workers2')).scenario,
  json_parse_workers2: async () => (await import('./json_parse_workers2')).scenario,
  aggregate: async () => (await import('./aggregate')).scenario,
  disk_buffer: async () => (await import('./disk_buffer')).scenario,
  disk_buffer_loop_delay: async () => (await import('./disk_buffer_loop_delay')).scenario,
  cli_stdin_buffer_file: async () => (await import('./cli_stdin_buffer_file')).scenario,
  baseline_node_json: async () => (await import('./baseline_node_json')).scenario,
  baseline_split_lines: async () => (await import('./baseline_split_lines')).scenario,
  baseline_line_framer: async () => (await import('./baseline_line_framer')).scenario,
  baseline_split2: async () => (await import('./baseline_split2')).scenario,
  generator_latency: async () => (await import('./generator_latency')).scenario,
  crc32c: async () => (await import('./crc32c')).scenario,
  compress_codecs: async () => (await import('./compress_codecs')).scenario,
  grpc_to_blackhole: async () => (await import('./grpc_to_blackhole')).scenario,
  baseline_grpc_decode: async () => (await import('./baseline_grpc_decode')).scenario,
  grpc_fields_decode: async () => (await import('./grpc_fields_decode')).scenario,
  http_to_blackhole: async () => (await import('./http_to_blackhole')).scenario,
  baseline_http_decode: async () => (await import('./baseline_http_decode')).scenario,
  file_to_elasticsearch: async () => (await import('./file_to_elasticsearch')).scenario,
  file_to_elasticsearch_auto_id: async () => (await import('./file_to_elasticsearch_auto_id')).scenario,
  baseline_elasticsearch_bulk: async () => (await import('./baseline_elasticsearch_bulk')).scenario,
  file_to_s3: async () => (await import('./file_to_s3')).scenario,
  baseline_s3_put: async () => (await import('./baseline_s3_put')).scenario,
  file_to_kafka: async () => (await import('./file_to_kafka')).scenario,
  baseline_kafka_produce: async () => (await import('./baseline_kafka_produce')).scenario,
  file_to_blackhole: async () => (await import('./file_to_blackhole')).scenario,
  tcp_to_blackhole: async () => (await import('./tcp_to_blackhole')).scenario,
  syslog_tcp_to_blackhole: async () => (await import('./syslog_tcp_to_blackhole')).scenario,
};
