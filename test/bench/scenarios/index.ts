import type { Scenario } from '../scenario';

/**
 * Every scenario, by name, in the order the table lists them. Loaded lazily, so a child
 * process loads only the scenario it runs (a plain-Node baseline never loads sluice).
 */
export const SCENARIOS: Readonly<Record<string, () => Promise<Scenario>>> = {
  generator_to_blackhole: async () => (await import('./generator_to_blackhole')).scenario,
  file_json_to_blackhole: async () => (await import('./file_json_to_blackhole')).scenario,
  disk_buffer: async () => (await import('./disk_buffer')).scenario,
  baseline_node_json: async () => (await import('./baseline_node_json')).scenario,
  baseline_split_lines: async () => (await import('./baseline_split_lines')).scenario,
  generator_latency: async () => (await import('./generator_latency')).scenario,
};
