import { runCli } from '../cli';
import { expectEvents, type Scenario } from '../scenario';
import { JSON_TO_BLACKHOLE } from './json_parse';
import { peerDataInput } from './regex_parsing';

const input = peerDataInput('ndjson.log');

/**
 * json_parse with `workers: 2`: the same file on the primary's stdin, forwarded in chunks of
 * whole lines to two worker processes, each running stdin → json → blackhole. CPU and peak
 * RSS are the sums over the primary and both workers; `primary_cpu_s` is the forwarding's
 * share. Compare with json_parse of the same run.
 */
export const scenario: Scenario = {
  name: 'json_parse_workers2',
  description: '`sluice run < ndjson.log` with `workers: 2`: primary forwards stdin → 2 × (json → blackhole); CPU and RSS summed over the 3 processes',
  bytesBasis: 'file bytes',
  setup: input.setup,
  async run() {
    const { durationMs, cpuMs, ownCpuMs, workers, peakRssMiB, summary } = await runCli({ yaml: () => `workers: 2\n${JSON_TO_BLACKHOLE}`, input: input.path, feed: 'redirect' });
    expectEvents('json_parse_workers2', summary.delivered, input.expected.lines);
    if (summary.errors > 0) throw new Error(`json_parse_workers2: ${summary.errors} errors on a well-formed file`);
    if (workers !== 2) throw new Error(`json_parse_workers2: ${workers} worker probe reports, expected 2`);
    return { events: summary.delivered, bytes: input.expected.bytes, durationMs, cpuMs, peakRssMiB, extra: { pipeline_s: summary.elapsed_ms / 1000, primary_cpu_s: ownCpuMs / 1000 } };
  },
};
