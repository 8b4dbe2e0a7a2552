import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { Pipeline, pipeline } from '../../src/index';
import { PrivateServer } from '../services/private-instance';
import { countDocuments, deadLetters, listSource, metric, type AckTally } from './elasticsearch-sink-helpers';
import { note } from '../helpers/notes';

/**
 * Real 429s: a private Elasticsearch with one write thread and a write queue of one (the
 * shared server is never touched) takes bulks from four concurrent sends. It refuses some
 * items (`es_rejected_execution_exception` inside a 200 bulk response) and some whole bulks
 * (HTTP 429). The sink must resend exactly what was refused (Fluent Bit resends whole
 * bulks, Vector drops 429 items): the retry counter equals the refusals, every document is
 * accepted exactly once by the sink's count, and Elasticsearch's own indexing counter says
 * it indexed each document once (a resent document that was already in would count twice).
 */

const PORT = 29_250;
const TOTAL = 8000;
const INDICES = 4;

let server: PrivateServer;
let client: Client;
const dirs: string[] = [];

beforeAll(async () => {
  server = await PrivateServer.start('elasticsearch', { name: 'es-429', port: PORT, settings: ['thread_pool.write.size=1', 'thread_pool.write.queue_size=1'] });
  client = new Client({ node: server.url });
}, 180_000);

afterAll(async () => {
  await client?.close();
  await server?.destroy();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('elasticsearch sink against a node that refuses writes with 429', () => {
  it('resends only the refused documents, with backoff, until every one is indexed exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-es-429-'));
    dirs.push(dir);
    const events = Array.from({ length: TOTAL }, (_, i) => ({ timestamp: new Date(Date.UTC(2024, 4, 1, 0, 0, 0, i)).toISOString(), shard: i % INDICES, seq: i, message: `event ${i}` }));
    const tally: AckTally = { acked: 0, rejected: 0 };
    const created = Pipeline.create(
      pipeline({
        data_dir: dir,
        api: { enabled: false },
        sources: { events: { source: listSource(events, 200, tally), max_in_flight_events: 20_000 } as never },
        sinks: {
          search: {
            type: 'elasticsearch',
            inputs: ['events'],
            endpoints: [server.url],
            index: 'burst-{{ shard }}-%Y.%m.%d',
            concurrency: 4,
            batch: { max_events: 250, timeout: '20ms' },
            retry: { initial: '50ms', max: '1s' },
            dead_letter: {},
          } as never,
        },
      }),
    );
    await created.run();
    const metrics = created.metrics;
    const refusedItems = await metric(metrics, 'sluice_elasticsearch_rejected_documents_total', 'search', { reason: 'es_rejected_execution_exception' });
    const refusedBulks = await metric(metrics, 'sluice_elasticsearch_rejected_documents_total', 'search', { reason: 'http_429' });
    const allRefusals = await metric(metrics, 'sluice_elasticsearch_rejected_documents_total', 'search');
    const retried = await metric(metrics, 'sluice_component_retried_events_total', 'search');
    const accepted = await metric(metrics, 'sluice_elasticsearch_documents_total', 'search');

    note(`429 test: ${TOTAL} events, ${refusedItems} items refused inside bulks, ${refusedBulks} documents in bulks refused whole, ${retried} resent, ${accepted} accepted`);
    expect(tally).toEqual({ acked: TOTAL, rejected: 0 });
    expect(refusedItems).toBeGreaterThan(0);
    expect(allRefusals).toBe(refusedItems + refusedBulks);
    expect(retried).toBe(allRefusals);
    expect(accepted).toBe(TOTAL);
    expect(deadLetters(join(dir, 'dead_letter', 'search'))).toHaveLength(0);

    expect(await countDocuments(client, 'burst-*')).toBe(TOTAL);
    const stats = await client.indices.stats({ index: 'burst-*', metric: 'indexing' });
    expect(stats._all.primaries?.indexing?.index_total).toBe(TOTAL);
    expect(stats._all.primaries?.indexing?.index_failed ?? 0).toBe(0);
  });
});
