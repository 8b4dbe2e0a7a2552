import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../cli';
import { warmPageCache } from '../fixtures';
import { expectEvents, type Scenario } from '../scenario';

/**
 * The directory of the peer benchmark inputs (`../shared/peers/fluent-bit/make-data.sh`):
 * `SLUICE_BENCH_PEER_DATA`, else `/tmp/bench-data`. sluice reads the very files Fluent Bit
 * was measured on, so the two figures of one run compare.
 */
export function peerDataDir(): string {
  return process.env.SLUICE_BENCH_PEER_DATA ?? '/tmp/bench-data';
}

/** A file of the peer inputs, read into the page cache by `setup`, with its size and line count. */
export function peerDataInput(file: string): { setup(): Promise<void>; readonly path: string; readonly expected: { bytes: number; lines: number } } {
  const path = join(peerDataDir(), file);
  let expected = { bytes: 0, lines: 0 };
  return {
    async setup() {
      if (!existsSync(path)) throw new Error(`${path} is missing: run \`bash ../shared/peers/fluent-bit/make-data.sh ${peerDataDir()}\` (or set SLUICE_BENCH_PEER_DATA)`);
      expected = warmPageCache(path);
    },
    path,
    get expected() {
      return expected;
    },
  };
}

/**
 * What Fluent Bit's `apache` parser does, in sluice's stages: grok's Apache common-log
 * pattern into fields, then the access-log time into the canonical `timestamp`.
 */
export const GROK_TO_BLACKHOLE = `sources:
  in:
    type: stdin
transforms:
  access:
    type: grok
    inputs: [in]
    match: ['^%{COMMONAPACHELOG}$']
    drop_field: true
  stamped:
    type: timestamp
    inputs: [access]
    formats: ['%d/%b/%Y:%H:%M:%S %z']
sinks:
  out:
    type: blackhole
    inputs: [stamped]
`;

const input = peerDataInput('apache.log');

/**
 * regex_parsing of DESIGN §5 (Fluent Bit 17.8–25.8 MiB/s with its `apache` regex parser and
 * `Time_Format`): the ~200 MiB Apache common log of the peer inputs on stdin (the file
 * itself, from the page cache) → grok `%{COMMONAPACHELOG}` → timestamp → blackhole, the
 * built CLI timed from spawn to exit as Fluent Bit is. Every line must parse.
 */
export const scenario: Scenario = {
  name: 'regex_parsing',
  description: '`sluice run < apache.log`: stdin → grok COMMONAPACHELOG → timestamp → blackhole, peer data from the page cache, whole process timed',
  bytesBasis: 'file bytes',
  setup: input.setup,
  async run() {
    const { durationMs, cpuMs, peakRssMiB, summary } = await runCli({ yaml: () => GROK_TO_BLACKHOLE, input: input.path, feed: 'redirect' });
    expectEvents('regex_parsing', summary.delivered, input.expected.lines);
    if (summary.errors > 0) throw new Error(`regex_parsing: ${summary.errors} lines did not parse`);
    return { events: summary.delivered, bytes: input.expected.bytes, durationMs, cpuMs, peakRssMiB, extra: { pipeline_s: summary.elapsed_ms / 1000 } };
  },
};
