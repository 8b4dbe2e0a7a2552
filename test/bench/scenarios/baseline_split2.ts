import { createReadStream } from 'node:fs';
import { Writable } from 'node:stream';
import pump from 'pump';
import split2 from 'split2';
import { READ_CHUNK_BYTES } from '../baseline';
import { pageCachedNdjson } from '../fixtures';
import { expectEvents, timed, type Scenario } from '../scenario';

const input = pageCachedNdjson();

/**
 * The design card's line splitter, measured against sluice's own (issue 7: use split2 and
 * pump where each is the right tool, measured): the same file in 1 MiB reads, piped with
 * `pump` through `split2()` (one string per line, one stream push per line) into a counting
 * object-mode Writable. Compare with `baseline_line_framer` (sluice's LineFramer, one
 * array per chunk) and `baseline_split_lines` (bare `indexOf`).
 */
export const scenario: Scenario = {
  name: 'baseline_split2',
  description: 'plain Node: 1 MiB reads → pump → split2() → counting Writable, one string per line (no sluice)',
  bytesBasis: 'file bytes',
  prepare: input.prepare,
  setup: input.setup,
  async run() {
    let lines = 0;
    const counter = new Writable({
      objectMode: true,
      highWaterMark: 1024,
      write(_line: string, _encoding, done) {
        lines++;
        done();
      },
    });
    const { durationMs, cpuMs } = await timed(
      () =>
        new Promise<void>((resolve, reject) =>
          pump(createReadStream(input.path, { highWaterMark: READ_CHUNK_BYTES }), split2(), counter, (error) => (error ? reject(error) : resolve())),
        ),
    );
    expectEvents('baseline_split2', lines, input.expected.lines);
    return { events: lines, bytes: input.expected.bytes, durationMs, cpuMs };
  },
};
