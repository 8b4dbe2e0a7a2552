import pino from 'pino';
import { Subject, VirtualTimeScheduler } from 'rxjs';
import {
  BREAKER_STATE_METRIC,
  circuitBreakerFromConfig,
  circuitBreakerOptionsShape,
  circuitBreakerTransform,
  type CircuitBreakerConfig,
} from '../../../src/transforms/circuit-breaker';
import { IssueCollector, object } from '../../../src/config/schema';
import { ComponentRegistry } from '../../../src/components/registry';
import type { Batch } from '../../../src/core/batch';
import { DeliveryError } from '../../../src/core/errors';
import { validateGraph } from '../../../src/graph/validate';
import { AckRecorder } from '../../helpers/batches';
import { metricValue, testContext } from '../../helpers/context';
import { collectSink, countingSource } from '../graph/fixtures';

/** Validates a pipeline whose one transform `cb` is a circuit breaker configured with `options`. */
function validateBreaker(options: Record<string, unknown>) {
  const registry = new ComponentRegistry().register(countingSource, collectSink, circuitBreakerTransform);
  const spec = {
    sources: { src: { type: 'counting' } },
    transforms: { cb: { type: 'circuit_breaker', inputs: ['src'], ...options } },
    sinks: { out: { type: 'collect', inputs: ['cb'] } },
  };
  const { graph, issues } = validateGraph(spec, registry);
  return { config: graph?.nodes.get('cb')?.config, issues: issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
}

const defaults: CircuitBreakerConfig = {
  failure_threshold: 5,
  error_rate: undefined,
  window: 60_000,
  minimum_requests: 20,
  reset_timeout: 30_000,
  half_open_max: 1,
  when_open: 'wait',
};

describe('circuit_breaker transform', () => {
  it('fills the documented defaults when no option is given', () => {
    expect(validateBreaker({})).toEqual({ config: { ...defaults, fan_out: { mode: 'parallel', failure: 'continue' } }, issues: [] });
  });

  it('reads its options through the real config parser and reports invalid ones with their path', () => {
    expect(validateBreaker({ error_rate: 0.5, window: '30s', reset_timeout: '10s', when_open: 'reject' }).config).toMatchObject({
      error_rate: 0.5,
      window: 30_000,
      reset_timeout: 10_000,
      when_open: 'reject',
    });
    expect(validateBreaker({ when_open: 'drop', error_rate: 1.5, half_open_max: 0 }).issues).toEqual([
      'transforms.cb.error_rate: must be at most 1, got 1.5',
      'transforms.cb.half_open_max: must be at least 1, got 0',
      'transforms.cb.when_open: expected one of wait, reject, got "drop"',
    ]);
  });

  it('accepts its own example', () => {
    const issues = new IssueCollector();
    object(circuitBreakerOptionsShape).parse(circuitBreakerTransform.example, [], issues);
    expect(issues.issues).toEqual([]);
  });

  it('reports its state in the sluice_circuit_breaker_state gauge and logs every transition', async () => {
    const lines: Array<{ level: number; from: string; to: string; component_id: string; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const scheduler = new VirtualTimeScheduler();
    const context = testContext({ id: 'cb', type: 'circuit_breaker', scheduler, logger });
    const state = () => metricValue(context.pipelineMetrics, BREAKER_STATE_METRIC, { component_id: 'cb' });
    const source = new Subject<Batch>();
    const emitted: Batch[] = [];
    source.pipe(circuitBreakerFromConfig({ ...defaults, failure_threshold: 1, reset_timeout: 10 }, context)).subscribe((batch) => emitted.push(batch));
    const acks = new AckRecorder();
    expect(await state()).toBe(0);
    source.next(acks.batch('a', '1'));
    emitted[0].ack.reject(new DeliveryError('503', true));
    expect(await state()).toBe(1);
    source.next(acks.batch('b', '2'));
    expect(emitted).toHaveLength(1);
    scheduler.flush();
    expect(await state()).toBe(2);
    emitted[1].ack.resolve();
    expect(await state()).toBe(0);
    expect(lines.map(({ level, from, to, component_id }) => [level, component_id, from, to])).toEqual([
      [40, 'cb', 'closed', 'open'],
      [30, 'cb', 'open', 'half-open'],
      [30, 'cb', 'half-open', 'closed'],
    ]);
    expect(acks.states('a', 'b')).toEqual({ a: 'rejected', b: 'resolved' });
  });

  it('gives each breaker of a pipeline its own series of the shared gauge', async () => {
    const first = testContext({ id: 'one' });
    const metrics = first.pipelineMetrics.component({ component_id: 'two', component_type: 'circuit_breaker', component_kind: 'transform' });
    circuitBreakerFromConfig(defaults, first);
    circuitBreakerFromConfig(defaults, testContext({ id: 'two', metrics }));
    expect(await metricValue(first.pipelineMetrics, BREAKER_STATE_METRIC, { component_id: 'two' })).toBe(0);
    expect(() => first.metrics.counter(BREAKER_STATE_METRIC, 'not a counter')).toThrow(TypeError);
  });
});
