import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@elastic/elasticsearch';
import { Pipeline, pipeline } from '../../src/index';
import { PrivateServer } from '../services/private-instance';
import { countDocuments, deadLetters, metric } from './elasticsearch-sink-helpers';
import { note } from '../helpers/notes';

/**
 * An Elasticsearch outage under steady load (issue 11, "What must show it"): a generator at
 * a fixed rate fans out to the Elasticsearch sink (memory buffer, retry, circuit breaker)
 * and to a blackhole. A private server is stopped for the outage and started again on its
 * data (the shared server is never touched). Every event the source had acknowledged must
 * be in the index exactly once (ids make resends overwrite), the breaker must open and
 * close again, the backlog must drain, and the blackhole must keep the generator's rate
 * throughout.
 *
 * Short form: a 5 s outage. Full form: SLUICE_OUTAGE_SECONDS=30 (`npm run test:outage`
 * style). The server's restart adds its start-up time (~20–40 s here) to the outage.
 */

const OUTAGE_SECONDS = Number(process.env.SLUICE_OUTAGE_SECONDS ?? '5');
const PORT = 29_260;
const RATE = 2000;
const BEFORE_MS = 3000;

let server: PrivateServer;
let client: Client;
const dirs: string[] = [];

beforeAll(async () => {
  server = await PrivateServer.start('elasticsearch', { name: 'es-outage', port: PORT });
  client = new Client({ node: server.url });
}, 180_000);

afterAll(async () => {
  await client?.close();
  await server?.destroy();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}, 120_000);

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

describe('elasticsearch sink through a server outage', () => {
  it('loses nothing, stores nothing twice, opens and closes its breaker, and never slows its sibling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-es-outage-'));
    dirs.push(dir);
    const created = Pipeline.create(
      pipeline({
        data_dir: dir,
        api: { enabled: false },
        sources: { gen: { type: 'generator', rate: RATE, count: 0, batch_size: 100, max_in_flight_events: 400_000, max_in_flight_bytes: '1GiB' } },
        sinks: {
          search: {
            type: 'elasticsearch',
            inputs: ['gen'],
            endpoints: [server.url],
            index: 'outage-%Y.%m.%d',
            request_timeout: '5s',
            batch: { max_events: 1000, timeout: '200ms' },
            buffer: { mode: 'memory', max_events: 400_000 },
            retry: { initial: '100ms', max: '2s' },
            circuit_breaker: { failure_threshold: 3, reset_timeout: '2s' },
            dead_letter: {},
          } as never,
          side: { type: 'blackhole', inputs: ['gen'] },
        },
      }),
    );
    const metrics = created.metrics;
    const running = created.run();
    const samples: Array<{ t: number; breaker: number; side: number; search: number }> = [];
    let sampling = true;
    const started = Date.now();
    const sampler = (async () => {
      while (sampling) {
        samples.push({
          t: Date.now() - started,
          breaker: await metric(metrics, 'sluice_circuit_breaker_state', 'search'),
          side: await metric(metrics, 'sluice_component_sent_events_total', 'side'),
          search: await metric(metrics, 'sluice_component_sent_events_total', 'search'),
        });
        await sleep(250);
      }
    })();

    const phase = (what: string): void => note(`outage test ${Date.now() - started} ms: ${what}`);
    await sleep(BEFORE_MS);
    const downAt = Date.now() - started;
    await server.stop();
    phase('server stopped');
    await sleep(OUTAGE_SECONDS * 1000);
    const restartAt = Date.now() - started;
    await server.restart();
    const upAt = Date.now() - started;
    phase('server restarted');
    // Keep the load on a little after the server is back, then stop the source and drain.
    await sleep(3000);
    expect(await created.stop(240_000)).toBe('drained');
    await running;
    phase('pipeline drained');
    sampling = false;
    await sampler;

    const generated = await metric(metrics, 'sluice_component_sent_events_total', 'gen');
    const ackFailures = await metric(metrics, 'sluice_source_ack_failures_total', 'gen');
    const indexed = await countDocuments(client, 'outage-*');
    const during = samples.filter((s) => s.t >= downAt && s.t <= upAt);
    const sideRate = (during[during.length - 1].side - during[0].side) / ((during[during.length - 1].t - during[0].t) / 1000);
    const breakerOpened = during.some((s) => s.breaker === 1);
    const finalBreaker = await metric(metrics, 'sluice_circuit_breaker_state', 'search');
    const retried = await metric(metrics, 'sluice_component_retried_events_total', 'search');

    note(
      `elasticsearch outage: stopped at ${downAt} ms for ${OUTAGE_SECONDS} s, restart took ${upAt - restartAt} ms (server down ${upAt - downAt} ms); ` +
        `generated ${generated}, indexed ${indexed} distinct documents (${indexed - generated} missing or extra), ` +
        `${retried} retried; breaker opened: ${breakerOpened}, final state ${finalBreaker}; blackhole ${sideRate.toFixed(0)} ev/s while the server was down (rate ${RATE})`,
    );
    expect(ackFailures).toBe(0);
    expect(indexed).toBe(generated);
    expect(deadLetters(join(dir, 'dead_letter', 'search'))).toHaveLength(0);
    expect(breakerOpened).toBe(true);
    expect(finalBreaker).toBe(0);
    expect(sideRate).toBeGreaterThan(RATE * 0.9);
  }, 600_000);
});
