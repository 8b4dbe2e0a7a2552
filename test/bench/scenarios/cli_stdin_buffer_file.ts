import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../cli';
import { ndjsonHeadFixture, warmPageCache } from '../fixtures';
import { expectEvents, scaled, type Scenario } from '../scenario';

/**
 * Lines of the fixture sent through (~100 MiB): ~10 s at the ~50,000 ev/s this path does
 * since issue 7 defect 6 was fixed. Before the fix every sink batch waited out its 1 s
 * timeout (~4,500 ev/s: 150,000 lines took 33 s), and this many would take ~2 minutes.
 */
const LINES = 500_000;

let path = '';
let expected = { bytes: 0, lines: 0 };

/** Lines written under `dir` (the file sink's hourly files; a run may straddle an hour). */
function linesUnder(dir: string): number {
  let lines = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const bytes = readFileSync(join(entry.parentPath, entry.name));
    for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) lines++;
  }
  return lines;
}

/**
 * The path of issue 7 defect 6, as a user runs it: `cat file | sluice run` with stdin → a
 * standalone `type: buffer` (disk WAL, `fsync: interval`) → the `file` sink (hourly NDJSON,
 * fsync per send, default batch). Whole process timed. Every line must reach the output
 * files (the buffer owns them once acked, so a shortfall is a loss).
 */
export const scenario: Scenario = {
  name: 'cli_stdin_buffer_file',
  description: `\`cat file | sluice run\`: stdin → buffer { mode: disk, fsync: interval } → file sink, ${LINES.toLocaleString('en-US')} fixture lines × scale, whole process timed`,
  bytesBasis: 'input file bytes',
  prepare() {
    ndjsonHeadFixture(scaled(LINES));
  },
  async setup() {
    path = ndjsonHeadFixture(scaled(LINES));
    expected = warmPageCache(path);
  },
  async run() {
    let written = 0;
    const { durationMs, cpuMs, peakRssMiB, summary } = await runCli({
      input: path,
      // A pipe, as in the issue: its 64 KiB reads make small batches, the shape that starves the
      // sink's batch (a redirected file is read in 1 MiB batches and fills it by luck).
      feed: 'pipe',
      yaml: (dir) => `sources:
  in:
    type: stdin
transforms:
  buffered:
    type: buffer
    inputs: [in]
    mode: disk
    fsync: interval
sinks:
  out:
    type: file
    inputs: [buffered]
    path: ${JSON.stringify(join(dir, 'out', '%Y-%m-%d', '%H.ndjson'))}
`,
      inspect: (run) => (written = linesUnder(join(run.dir, 'out'))),
    });
    expectEvents('cli_stdin_buffer_file', summary.delivered, expected.lines);
    if (written < expected.lines) throw new Error(`cli_stdin_buffer_file: ${expected.lines} lines in, ${written} in the output files`);
    return { events: summary.delivered, bytes: expected.bytes, durationMs, cpuMs, peakRssMiB, extra: { pipeline_s: summary.elapsed_ms / 1000 } };
  },
};
