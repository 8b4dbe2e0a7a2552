import { runCli } from '../cli';
import { expectEvents, type Scenario } from '../scenario';
import { peerDataInput } from './regex_parsing';

export const JSON_TO_BLACKHOLE = `sources:
  in:
    type: stdin
transforms:
  parsed:
    type: json
    inputs: [in]
sinks:
  out:
    type: blackhole
    inputs: [parsed]
`;

const input = peerDataInput('ndjson.log');

/**
 * json_parse of DESIGN §5 (Fluent Bit 61–92.5 MiB/s): the ~200 MiB NDJSON file of the peer
 * inputs on stdin (page cache) → json → blackhole, the built CLI timed from spawn to exit.
 * The same work as `cli_stdin_json_blackhole` on Fluent Bit's own file rather than ours, so
 * the two figures of one run compare.
 */
export const scenario: Scenario = {
  name: 'json_parse',
  description: '`sluice run < ndjson.log`: stdin → json → blackhole, peer data from the page cache, whole process timed',
  bytesBasis: 'file bytes',
  setup: input.setup,
  async run() {
    const { durationMs, cpuMs, peakRssMiB, summary } = await runCli({ yaml: () => JSON_TO_BLACKHOLE, input: input.path, feed: 'redirect' });
    expectEvents('json_parse', summary.delivered, input.expected.lines);
    if (summary.errors > 0) throw new Error(`json_parse: ${summary.errors} errors on a well-formed file`);
    return { events: summary.delivered, bytes: input.expected.bytes, durationMs, cpuMs, peakRssMiB, extra: { pipeline_s: summary.elapsed_ms / 1000 } };
  },
};
