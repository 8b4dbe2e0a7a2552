import { runCli, type StdinFeed } from './cli';
import { pageCachedNdjson } from './fixtures';
import { expectEvents, type Scenario } from './scenario';

/** The pipeline users write for "parse my JSON logs": stdin → json → blackhole. */
const JSON_TO_BLACKHOLE = `sources:
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

const HOW: Record<StdinFeed, string> = { redirect: '`sluice run -c p.yaml < file`', pipe: '`cat file | sluice run -c p.yaml`' };

/**
 * The json_parse scenario as a user runs it: the built CLI on a YAML pipeline, the ~200 MiB
 * NDJSON fixture on stdin (page cache). Timed from spawn to exit, start-up included, as
 * Fluent Bit is timed in ../shared/peers/fluent-bit. Compare with `file_json_to_blackhole`
 * (the same work from a custom source, pipeline time only) and `baseline_node_json`.
 */
export function cliJsonScenario(name: string, feed: StdinFeed): Scenario {
  const input = pageCachedNdjson();
  return {
    name,
    description: `${HOW[feed]}: stdin → json → blackhole, NDJSON fixture from the page cache, whole process timed`,
    bytesBasis: 'file bytes',
    prepare: input.prepare,
    setup: input.setup,
    async run() {
      const { durationMs, cpuMs, peakRssMiB, summary } = await runCli({ yaml: () => JSON_TO_BLACKHOLE, input: input.path, feed });
      expectEvents(name, summary.delivered, input.expected.lines);
      if (summary.errors > 0) throw new Error(`${name}: ${summary.errors} errors on a well-formed fixture`);
      return { events: summary.delivered, bytes: input.expected.bytes, durationMs, cpuMs, peakRssMiB, extra: { pipeline_s: summary.elapsed_ms / 1000 } };
    },
  };
}
