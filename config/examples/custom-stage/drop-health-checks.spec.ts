// The marble spec of a custom stage, as the README shows it. In your project the imports are
// 'sluice/testing' and './drop-health-checks'.
import { testStage } from '../../../src/testing';
import { dropHealthChecks } from './drop-health-checks';

const orders = { message: 'GET /orders 200', path: '/orders' };
const probe = { message: 'GET /healthz 200', path: '/healthz' };
const ready = { message: 'GET /readyz 200', path: '/readyz' };

describe('dropHealthChecks', () => {
  it('drops probe requests and keeps the rest, settling every ack', () => {
    const run = testStage({
      operator: () => dropHealthChecks(),
      input: '       -a-b-|',
      values: { a: [orders, probe], b: [ready] },
    });
    run.expectOutput('-a---|', { a: [orders] });
    // a resolves when the sink delivers the survivor; b at once, since all of it was dropped.
    expect(run.acks.summary()).toEqual({ a: 'resolved@1', b: 'resolved@3' });
  });

  it('tells the source which event failed when the sink refuses a survivor', () => {
    const run = testStage({
      operator: () => dropHealthChecks(),
      input: '-a|',
      values: { a: [probe, orders] },
      downstream: () => new Error('disk full'),
    });
    expect(run.acks.get('a').failedIndices).toEqual([1]);
  });
});
