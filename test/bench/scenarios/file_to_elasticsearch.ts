import { createReadStream } from 'node:fs';
import { pipeline } from '../../../src/index';
import { fromReadable } from '../../../src/sources/readable';
import { ES_URL } from '../../services/coordinates';
import { READ_CHUNK_BYTES } from '../baseline';
import { componentCount, runPipeline } from '../sluice';
import { expectEvents, type Scenario } from '../scenario';
import { countAndDrop, ES_BENCH, prepareInput, setupRun, type EsBenchInput } from './elasticsearch_load';

/**
 * The NDJSON fixture's head (page cache, 1 MiB reads) → json → the elasticsearch sink into
 * the shared test server, with the sink's defaults (deterministic SHA-256 ids) and the
 * shared bulk size and concurrency. Compare with `baseline_elasticsearch_bulk` (the bare
 * client) and `file_to_elasticsearch_auto_id` (same as this one, Elasticsearch's own ids).
 */
export function elasticsearchScenario(name: string, documentId: 'hash' | 'auto'): Scenario {
  const index = `bench-${name.replace(/_/g, '-')}-${process.pid}`;
  let input: EsBenchInput = { path: '', bytes: 0, lines: 0 };
  return {
    name,
    description: `NDJSON file (${ES_BENCH.lines} lines, page cache) → json → elasticsearch (${documentId === 'hash' ? 'SHA-256 ids' : 'auto ids'}, ${ES_BENCH.batchEvents}-event bulks, concurrency ${ES_BENCH.concurrency}), shared test server`,
    bytesBasis: 'file bytes',
    prepare: prepareInput,
    async setup() {
      input = await setupRun(index);
    },
    async run() {
      const { durationMs, cpuMs, metrics } = await runPipeline(
        pipeline({
          sources: { file: { source: (ctx) => fromReadable(createReadStream(input.path, { highWaterMark: READ_CHUNK_BYTES }), ctx, { maxLineBytes: 1 << 20 }) } },
          transforms: { parsed: { type: 'json', inputs: ['file'] } },
          sinks: {
            search: {
              type: 'elasticsearch',
              inputs: ['parsed'],
              endpoints: [ES_URL],
              index,
              document_id: documentId,
              concurrency: ES_BENCH.concurrency,
              batch: { max_events: ES_BENCH.batchEvents, max_bytes: ES_BENCH.batchBytes },
            },
          },
        }),
      );
      const delivered = await componentCount(metrics.sentEvents, 'search');
      expectEvents(name, delivered, input.lines);
      expectEvents(`${name} (documents in the index)`, await countAndDrop(index), input.lines);
      return { events: delivered, bytes: input.bytes, durationMs, cpuMs };
    },
  };
}

export const scenario: Scenario = elasticsearchScenario('file_to_elasticsearch', 'hash');
