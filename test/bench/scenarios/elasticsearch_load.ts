import { Client } from '@elastic/elasticsearch';
import { ES_URL } from '../../services/coordinates';
import { assertReachable } from '../../services/reachable';
import { ndjsonHeadFixture, warmPageCache } from '../fixtures';
import { scaled } from '../scenario';

/**
 * What the Elasticsearch scenarios share, so sluice and the bare client send the same load:
 * the first lines of the NDJSON fixture (~200 bytes each), bulks of the same size, the same
 * number of bulks in flight, into a fresh one-shard index without replicas on the shared
 * test server (http://127.0.0.1:19200, `npm run services:up`).
 */
export const ES_BENCH = {
  lines: scaled(200_000),
  batchEvents: 5000,
  batchBytes: 10_000_000,
  concurrency: 2,
} as const;

/** The scenario's input file, its size and line count (page-cached by `setup`). */
export interface EsBenchInput {
  path: string;
  bytes: number;
  lines: number;
}

/** Creates the fixture head file (runner process, before any child). */
export function prepareInput(): void {
  ndjsonHeadFixture(ES_BENCH.lines);
}

/** Reads the input into the page cache and creates a fresh index named `index`. */
export async function setupRun(index: string): Promise<EsBenchInput> {
  await assertReachable('Elasticsearch (bench)', ES_URL);
  const path = ndjsonHeadFixture(ES_BENCH.lines);
  const { bytes, lines } = warmPageCache(path);
  const client = new Client({ node: ES_URL });
  try {
    await client.indices.delete({ index, ignore_unavailable: true });
    await client.indices.create({ index, settings: { number_of_shards: 1, number_of_replicas: 0 } });
  } finally {
    await client.close();
  }
  return { path, bytes, lines };
}

/** Documents in `index` once refreshed (checked after the timed run), then the index is removed. */
export async function countAndDrop(index: string): Promise<number> {
  const client = new Client({ node: ES_URL });
  try {
    await client.indices.refresh({ index });
    const { count } = await client.count({ index });
    await client.indices.delete({ index });
    return count;
  } finally {
    await client.close();
  }
}
