import { Client } from '@elastic/elasticsearch';
import { ES_URL } from '../../services/coordinates';
import { splitFileLines } from '../baseline';
import { expectEvents, timed, type Scenario } from '../scenario';
import { countAndDrop, ES_BENCH, prepareInput, setupRun, type EsBenchInput } from './elasticsearch_load';

const index = `bench-baseline-elasticsearch-bulk-${process.pid}`;
let input: EsBenchInput = { path: '', bytes: 0, lines: 0 };

/**
 * The reference for `file_to_elasticsearch`: a minimal script on the bare
 * @elastic/elasticsearch client. Same file, 1 MiB reads, `JSON.parse` per line, bulks of the
 * same size (`client.bulk({ operations })`, auto ids) with the same number in flight; a bulk
 * with item errors fails the run (it would have to be resent by hand).
 */
export const scenario: Scenario = {
  name: 'baseline_elasticsearch_bulk',
  description: `bare @elastic/elasticsearch: same file, JSON.parse, client.bulk of ${ES_BENCH.batchEvents} docs (auto ids), ${ES_BENCH.concurrency} in flight (no sluice)`,
  bytesBasis: 'file bytes',
  prepare: prepareInput,
  async setup() {
    input = await setupRun(index);
  },
  async run() {
    const client = new Client({ node: ES_URL, maxRetries: 0 });
    let sent = 0;
    const inFlight = new Set<Promise<void>>();
    let failure: Error | undefined;
    const flush = async (documents: unknown[]): Promise<void> => {
      while (inFlight.size >= ES_BENCH.concurrency) await Promise.race(inFlight);
      const operations: unknown[] = [];
      for (const document of documents) operations.push({ index: { _index: index } }, document);
      const request = client.bulk({ operations }).then((result) => {
        if (result.errors) failure ??= new Error('bulk had item errors');
        sent += documents.length;
      });
      const tracked = request.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
    };
    const { durationMs, cpuMs } = await timed(async () => {
      let pending: unknown[] = [];
      let queue = Promise.resolve();
      await splitFileLines(input.path, (buf, starts, ends) => {
        for (let i = 0; i < starts.length; i++) {
          pending.push(JSON.parse(buf.toString('utf8', starts[i], ends[i])));
          if (pending.length === ES_BENCH.batchEvents) {
            const full = pending;
            pending = [];
            queue = queue.then(() => flush(full));
          }
        }
      });
      if (pending.length > 0) {
        const rest = pending;
        queue = queue.then(() => flush(rest));
      }
      await queue;
      await Promise.all(inFlight);
    });
    await client.close();
    if (failure) throw failure;
    expectEvents('baseline_elasticsearch_bulk', sent, input.lines);
    expectEvents('baseline_elasticsearch_bulk (documents in the index)', await countAndDrop(index), input.lines);
    return { events: sent, bytes: input.bytes, durationMs, cpuMs };
  },
};
