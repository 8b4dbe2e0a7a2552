import { createReadStream } from 'node:fs';
import { fromReadable } from '../../../src/sources/readable';
import { READ_CHUNK_BYTES } from '../baseline';
import { pageCachedNdjson } from '../fixtures';
import { pipeline } from '../../../src/index';
import { componentCount, runPipeline } from '../sluice';
import { expectEvents, type Scenario } from '../scenario';

const MAX_LINE_BYTES = 1024 * 1024;

const input = pageCachedNdjson();

/**
 * The json_parse scenario of DESIGN §5 (Fluent Bit 92.5 MiB/s): the ~200 MiB NDJSON fixture
 * from the page cache, read in 1 MiB chunks by a TypeScript custom source over
 * `fromReadable`, parsed by the built-in `json` transform, into the blackhole. Compare with
 * `baseline_node_json`, the same work in plain Node.
 */
export const scenario: Scenario = {
  name: 'file_json_to_blackhole',
  description: 'NDJSON file (page cache, 1 MiB reads) → fromReadable custom source → json → blackhole, real Pipeline',
  bytesBasis: 'file bytes',
  prepare: input.prepare,
  setup: input.setup,
  async run() {
    const { durationMs, cpuMs, metrics } = await runPipeline(
      pipeline({
        sources: {
          file: { source: (ctx) => fromReadable(createReadStream(input.path, { highWaterMark: READ_CHUNK_BYTES }), ctx, { maxLineBytes: MAX_LINE_BYTES }) },
        },
        transforms: { parsed: { type: 'json', inputs: ['file'] } },
        sinks: { out: { type: 'blackhole', inputs: ['parsed'] } },
      }),
    );
    const delivered = await componentCount(metrics.sentEvents, 'out');
    expectEvents('file_json_to_blackhole', delivered, input.expected.lines);
    const parseErrors = await componentCount(metrics.errors, 'parsed');
    if (parseErrors > 0) throw new Error(`file_json_to_blackhole: ${parseErrors} parse errors on a well-formed fixture`);
    return { events: delivered, bytes: input.expected.bytes, durationMs, cpuMs };
  },
};
