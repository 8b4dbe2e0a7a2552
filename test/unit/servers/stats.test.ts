import { PipelineMetrics } from '../../../src/observability/metrics';
import { componentStats, totals } from '../../../src/servers/stats';

describe('componentStats', () => {
  it('is empty before any component has been built', async () => {
    expect(await componentStats(new PipelineMetrics({ processMetrics: true }).registry)).toEqual({});
  });

  it('groups errors by type and discards by reason under each component id, summing into totals', async () => {
    const metrics = new PipelineMetrics();
    const source = metrics.component({ component_id: 'in', component_type: 'stdin', component_kind: 'source' });
    const parse = metrics.component({ component_id: 'parse', component_type: 'json', component_kind: 'transform' });
    const sink = metrics.component({ component_id: 'out', component_type: 'file', component_kind: 'sink' });
    source.countSent(10, 1000);
    source.inFlight.inc(4);
    source.ackFailures.inc();
    parse.countReceived(10, 1000);
    parse.error('parse', 2);
    parse.error('callback');
    parse.discard('filtered', 3);
    sink.countReceived(7, 700);
    sink.countSent(6, 600);
    sink.error('delivery');

    const stats = await componentStats(metrics.registry);

    expect(stats.in).toMatchObject({ kind: 'source', type: 'stdin', sent: { events: 10, bytes: 1000 }, in_flight_events: 4, ack_failures: 1 });
    expect(stats.parse).toMatchObject({ errors: { total: 3, by_type: { parse: 2, callback: 1 } }, discarded: { total: 3, by_reason: { filtered: 3 } } });
    expect(stats.parse).not.toHaveProperty('in_flight_events');
    expect(stats.out).toMatchObject({ kind: 'sink', received: { events: 7, bytes: 700 }, sent: { events: 6, bytes: 600 } });
    expect(totals(stats)).toEqual({ read: 10, delivered: 6, errors: 4, discarded: 3, ack_failures: 1 });
  });
});
