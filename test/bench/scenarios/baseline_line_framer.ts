import { createReadStream } from 'node:fs';
import type { LogEvent } from '../../../src/core/event';
import { newlineFraming } from '../../../src/sources/framing/newline';
import { READ_CHUNK_BYTES } from '../baseline';
import { pageCachedNdjson } from '../fixtures';
import { expectEvents, timed, type Scenario } from '../scenario';

const input = pageCachedNdjson();
let sink: LogEvent[] = [];

/**
 * sluice's newline framer alone, no pipeline: the same file in 1 MiB reads, each chunk
 * framed into one array of `{ message, timestamp }` events (one timestamp string per chunk),
 * as `fromReadable` does. The reference `baseline_split2` is measured against.
 */
export const scenario: Scenario = {
  name: 'baseline_line_framer',
  description: 'sluice LineFramer (newlineFraming) on 1 MiB reads, one event array per chunk, no pipeline',
  bytesBasis: 'file bytes',
  prepare: input.prepare,
  setup: input.setup,
  async run() {
    let events = 0;
    const framer = newlineFraming({ maxLineBytes: 1024 * 1024 })(() => undefined);
    const { durationMs, cpuMs } = await timed(
      () =>
        new Promise<void>((resolve, reject) => {
          const stream = createReadStream(input.path, { highWaterMark: READ_CHUNK_BYTES });
          stream.on('data', (chunk: Buffer | string) => {
            const out: LogEvent[] = [];
            framer.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk, new Date().toISOString(), out);
            events += out.length;
            sink = out;
          });
          stream.once('error', reject);
          stream.once('end', () => {
            const out: LogEvent[] = [];
            framer.end(new Date().toISOString(), out);
            events += out.length;
            resolve();
          });
        }),
    );
    if (sink.length === 0) throw new Error('baseline_line_framer: no events framed');
    expectEvents('baseline_line_framer', events, input.expected.lines);
    return { events, bytes: input.expected.bytes, durationMs, cpuMs };
  },
};
