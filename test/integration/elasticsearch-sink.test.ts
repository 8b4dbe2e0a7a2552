import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { Pipeline, pipeline } from '../../src/index';
import type { LogEvent } from '../../src/core/event';
import { ES_URL } from '../services/coordinates';
import { assertReachable } from '../services/reachable';
import { countDocuments, deadLetters, listSource, metric, type AckTally } from './elasticsearch-sink-helpers';

/**
 * The Elasticsearch sink against the shared test server (8.19 integ-test-zip). Every test
 * writes to its own index prefix and counts documents on the server afterwards.
 */

const client = new Client({ node: ES_URL });
const prefix = `sluice-it-${randomUUID().slice(0, 8)}`;
const dirs: string[] = [];

beforeAll(async () => {
  await assertReachable('Elasticsearch', ES_URL);
});

afterAll(async () => {
  await client.indices.delete({ index: `${prefix}-*`, ignore_unavailable: true }).catch(() => undefined);
  await client.ingest.deletePipeline({ id: `${prefix}-pipeline` }).catch(() => undefined);
  await client.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  readonly tally: AckTally;
  readonly pipeline: Pipeline;
  readonly dlq: string;
}

/** events → elasticsearch sink with `options` (a DLQ always), run to completion. */
async function deliver(events: readonly LogEvent[], options: Record<string, unknown>, batchSize = 250): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-es-it-'));
  dirs.push(dir);
  const tally: AckTally = { acked: 0, rejected: 0 };
  const spec = pipeline({
    data_dir: dir,
    api: { enabled: false },
    sources: { events: { source: listSource(events, batchSize, tally) } },
    sinks: {
      search: { type: 'elasticsearch', inputs: ['events'], endpoints: [ES_URL], dead_letter: {}, retry: { initial: '50ms', max: '1s' }, ...options } as never,
    },
  });
  const created = Pipeline.create(spec);
  await created.run();
  return { tally, pipeline: created, dlq: join(dir, 'dead_letter', 'search') };
}

const at = (day: number, i: number): string => new Date(Date.UTC(2024, 4, day, 12, 0, 0, i)).toISOString();

describe('elasticsearch sink on the real server', () => {
  it('names each index from its event timestamp and counts documents per index', async () => {
    const index = `${prefix}-dated-%Y.%m.%d`;
    const events = [1, 2, 3].flatMap((day) => Array.from({ length: 300 * day }, (_, i) => ({ timestamp: at(day, i), message: `day ${day} line ${i}` })));
    const run = await deliver(events, { index });
    expect(run.tally).toEqual({ acked: events.length, rejected: 0 });
    for (const day of [1, 2, 3]) {
      const name = `${prefix}-dated-2024.05.0${day}`;
      expect(await countDocuments(client, name)).toBe(300 * day);
      expect(await metric(run.pipeline.metrics, 'sluice_elasticsearch_documents_total', 'search', { index: name })).toBe(300 * day);
    }
  });

  it('fills {{ field }} parts of the index from the events', async () => {
    const events = ['API', 'web'].flatMap((service) => Array.from({ length: 50 }, (_, i) => ({ timestamp: at(7, i), service, message: `${service} ${i}` })));
    await deliver(events, { index: `${prefix}-svc-{{ service }}-%Y.%m` });
    expect(await countDocuments(client, `${prefix}-svc-api-2024.05`)).toBe(50);
    expect(await countDocuments(client, `${prefix}-svc-web-2024.05`)).toBe(50);
  });

  it('sends mapping conflicts to the dead-letter queue with Elasticsearch’s error, indexes the rest once, and a resend duplicates nothing', async () => {
    const name = `${prefix}-mapped-2024.05.09`;
    await client.indices.create({ index: name, mappings: { properties: { n: { type: 'long' } } } });
    const events = Array.from({ length: 1000 }, (_, i) => ({ timestamp: at(9, i), seq: i, n: i % 10 === 3 ? `not a number ${i}` : i }));
    const first = await deliver(events, { index: `${prefix}-mapped-%Y.%m.%d` });
    expect(first.tally).toEqual({ acked: 1000, rejected: 0 }); // dead-lettered counts as handled
    const dead = deadLetters(first.dlq);
    expect(dead).toHaveLength(100);
    expect(dead.map((entry) => entry.event.seq).sort((a, b) => Number(a) - Number(b))).toEqual(events.filter((e) => typeof e.n === 'string').map((e) => e.seq));
    expect(dead[0]).toMatchObject({ component: 'search', attempts: 1 });
    expect(dead[0].error).toMatch(/^Elasticsearch refused the document \(400\): document_parsing_exception: .*failed to parse field \[n\] of type \[long\]/);
    expect(await countDocuments(client, name)).toBe(900);
    expect(await metric(first.pipeline.metrics, 'sluice_elasticsearch_rejected_documents_total', 'search', { reason: 'document_parsing_exception' })).toBe(100);

    // The same events again (a source that re-reads after a crash): the same ids, so no duplicates.
    const again = await deliver(events, { index: `${prefix}-mapped-%Y.%m.%d` });
    expect(deadLetters(again.dlq)).toHaveLength(100);
    expect(await countDocuments(client, name)).toBe(900);
  });

  it('with action: create, a resend is answered 409 and counted as already indexed, not stored twice', async () => {
    const events = Array.from({ length: 500 }, (_, i) => ({ timestamp: at(10, i), message: `create ${i}` }));
    const options = { index: `${prefix}-create-%Y.%m.%d`, action: 'create' };
    await deliver(events, options);
    const again = await deliver(events, options);
    expect(again.tally).toEqual({ acked: 500, rejected: 0 });
    expect(deadLetters(again.dlq)).toHaveLength(0);
    expect(await metric(again.pipeline.metrics, 'sluice_elasticsearch_rejected_documents_total', 'search', { reason: 'already_indexed' })).toBe(500);
    expect(await countDocuments(client, `${prefix}-create-2024.05.10`)).toBe(500);
  });

  it('keeps identical events of one batch as separate documents, and document_id: auto does duplicate on a resend', async () => {
    const twins = Array.from({ length: 100 }, () => ({ timestamp: at(11, 0), message: 'heartbeat' }));
    await deliver(twins, { index: `${prefix}-twins-%Y.%m.%d` }, 100);
    expect(await countDocuments(client, `${prefix}-twins-2024.05.11`)).toBe(100);

    const events = Array.from({ length: 200 }, (_, i) => ({ timestamp: at(12, i), message: `auto ${i}` }));
    await deliver(events, { index: `${prefix}-auto-%Y.%m.%d`, document_id: 'auto' });
    await deliver(events, { index: `${prefix}-auto-%Y.%m.%d`, document_id: 'auto' });
    expect(await countDocuments(client, `${prefix}-auto-2024.05.12`)).toBe(400);
  });

  it('takes _id from id_field', async () => {
    const events = Array.from({ length: 20 }, (_, i) => ({ timestamp: at(13, i), event: { id: `order-${i}` }, message: `${i}` }));
    await deliver(events, { index: `${prefix}-ids-%Y.%m.%d`, id_field: 'event.id' });
    const found = await client.get<{ message: string }>({ index: `${prefix}-ids-2024.05.13`, id: 'order-7' });
    expect(found._source?.message).toBe('7');
  });

  it.each(['gzip', 'deflate'])('ships %s-compressed bulk bodies the server inflates', async (compression) => {
    const events = Array.from({ length: 2000 }, (_, i) => ({ timestamp: at(14, i), message: `${compression} ${i} ${'lorem ipsum '.repeat(8)}` }));
    const run = await deliver(events, { index: `${prefix}-${compression}-%Y.%m.%d`, compression, batch: { max_events: 1000, max_bytes: '64KiB' } });
    expect(run.tally.acked).toBe(2000);
    expect(await countDocuments(client, `${prefix}-${compression}-2024.05.14`)).toBe(2000);
  });

  it('runs every document through the ingest pipeline it names (an empty one: the test distribution has no processors)', async () => {
    const id = `${prefix}-pipeline`;
    await client.ingest.putPipeline({ id, description: 'sluice integration test', processors: [] });
    const events = Array.from({ length: 300 }, (_, i) => ({ timestamp: at(15, i), message: `piped ${i}` }));
    await deliver(events, { index: `${prefix}-piped-%Y.%m.%d`, pipeline: id });
    expect(await countDocuments(client, `${prefix}-piped-2024.05.15`)).toBe(300);
    // An empty pipeline counts no processor runs, but it records the bytes that went through it.
    const stats = await client.nodes.stats({ metric: 'ingest' });
    const ingested = Object.values(stats.nodes).map((node) => (node.ingest?.pipelines?.[id] as { ingested_as_first_pipeline_in_bytes?: number } | undefined)?.ingested_as_first_pipeline_in_bytes ?? 0);
    const documentBytes = events.reduce((sum, event) => sum + Buffer.byteLength(JSON.stringify(event)), 0);
    expect(ingested.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(documentBytes);
  });

  it('dead-letters every document when the pipeline does not exist, with the server’s reason', async () => {
    const events = Array.from({ length: 10 }, (_, i) => ({ timestamp: at(16, i), message: `${i}` }));
    const run = await deliver(events, { index: `${prefix}-nopipe-%Y.%m.%d`, pipeline: `${prefix}-missing` });
    const dead = deadLetters(run.dlq);
    expect(dead).toHaveLength(10);
    expect(dead[0].error).toContain(`pipeline with id [${prefix}-missing] does not exist`);
  });
});
