import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import pkg from '../../package.json';
import { ES_URL } from '../services/coordinates';
import { assertReachable } from '../services/reachable';

// jest.config.ts sets testTimeout on the integration project, but Jest 30 only honours the
// top-level option, so the 5 s default would apply to these multi-second round trips.
jest.setTimeout(120_000);

const DOCUMENTS = 10_000;

describe('Elasticsearch test server', () => {
  const client = new Client({ node: ES_URL });
  const index = `services-es-${randomUUID()}`;

  beforeAll(async () => {
    await assertReachable('Elasticsearch', ES_URL);
  });

  afterAll(async () => {
    await client.indices.delete({ index, ignore_unavailable: true }).catch(() => undefined);
    await client.close();
  });

  it('runs a server whose major is at least the pinned client major', async () => {
    // The client refuses servers of an older major; a newer one serves it in compatibility mode.
    // Nodes info, not client.info(): the integ-test-zip has no handler for `GET /`.
    const clientMajor = Number(/\d+/.exec(pkg.dependencies['@elastic/elasticsearch'])?.[0]);
    const { nodes } = await client.nodes.info({ node_id: '_local', metric: '_none' });
    const [node] = Object.values(nodes);
    const serverMajor = Number(node?.version.split('.')[0]);
    expect(serverMajor).toBeGreaterThanOrEqual(clientMajor);
  });

  it('bulk-indexes 10,000 documents and counts all of them', async () => {
    const operations = Array.from({ length: DOCUMENTS }, (_, i) => [
      { index: { _index: index, _id: String(i) } },
      { seq: i, message: `log line ${i}`, '@timestamp': new Date(1_700_000_000_000 + i).toISOString() },
    ]).flat();
    const result = await client.bulk({ operations, refresh: 'wait_for' });
    expect(result.errors).toBe(false);
    expect(result.items).toHaveLength(DOCUMENTS);

    expect((await client.count({ index })).count).toBe(DOCUMENTS);
    const last = await client.get<{ seq: number }>({ index, id: String(DOCUMENTS - 1) });
    expect(last._source?.seq).toBe(DOCUMENTS - 1);
  });
});
