import { from, lastValueFrom, toArray } from 'rxjs';
import { deliver } from '../../../operators/deliver';
import { retryFromConfig, retryOptionsShape, retryTransform, RETRIED_EVENTS_METRIC } from '../../../src/transforms/retry';
import { IssueCollector, object } from '../../../src/config/schema';
import { ComponentRegistry } from '../../../src/components/registry';
import { DeliveryError } from '../../../src/core/errors';
import { validateGraph } from '../../../src/graph/validate';
import { AckRecorder, FakeSink } from '../../helpers/batches';
import { metricValue, testContext } from '../../helpers/context';
import { collectSink, countingSource } from '../graph/fixtures';

/** Validates a pipeline whose one transform `r` is a retry stage configured with `options`. */
function validateRetry(options: Record<string, unknown>) {
  const registry = new ComponentRegistry().register(countingSource, collectSink, retryTransform);
  const spec = {
    sources: { src: { type: 'counting' } },
    transforms: { r: { type: 'retry', inputs: ['src'], ...options } },
    sinks: { out: { type: 'collect', inputs: ['r'] } },
  };
  const { graph, issues } = validateGraph(spec, registry);
  return { config: graph?.nodes.get('r')?.config, issues: issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`) };
}

describe('retry transform', () => {
  it('fills the documented defaults when no option is given', () => {
    expect(validateRetry({})).toEqual({
      config: { initial: 100, max: 30_000, multiplier: 2, max_retries: undefined, max_elapsed: undefined, jitter: 0.2, fan_out: { mode: 'parallel', failure: 'continue' } },
      issues: [],
    });
  });

  it('reads durations written with units through the real config parser', () => {
    expect(validateRetry({ initial: '250ms', max: '5s', max_elapsed: '2m', max_retries: 0 }).config).toMatchObject({
      initial: 250,
      max: 5000,
      max_elapsed: 120_000,
      max_retries: 0,
    });
  });

  it('reports every invalid option with its path', () => {
    expect(validateRetry({ initial: 'soon', max_retries: 1.5, jitter: 2, multiplier: 0.5 }).issues).toEqual([
      expect.stringMatching(/^transforms\.r\.initial: expected a duration/),
      'transforms.r.multiplier: must be at least 1, got 0.5',
      'transforms.r.max_retries: expected an integer, got 1.5',
      'transforms.r.jitter: must be at most 1, got 2',
    ]);
  });

  it('accepts its own example', () => {
    const issues = new IssueCollector();
    object(retryOptionsShape).parse(retryTransform.example, [], issues);
    expect(issues.issues).toEqual([]);
  });

  it('counts retried events and events whose retries ran out in the component metrics', async () => {
    const context = testContext({ id: 'r', type: 'retry' });
    const sink = new FakeSink((batch) => ({
      failures: batch.events.flatMap((event, index) => (event.message === 'down' ? [{ index, error: new DeliveryError('429', true), retryable: true }] : [])),
    }));
    const config = { initial: 1, max: 1, multiplier: 2, max_retries: 2, max_elapsed: undefined, jitter: 0 };
    const acks = new AckRecorder();
    await lastValueFrom(from([acks.batch('a', 'ok', 'down')]).pipe(retryFromConfig(config, context), deliver(sink), toArray()));
    expect(acks.state('a')).toBe('rejected');
    expect(await metricValue(context.pipelineMetrics, RETRIED_EVENTS_METRIC, { component_id: 'r' })).toBe(2);
    expect(await metricValue(context.pipelineMetrics, 'sluice_component_errors_total', { component_id: 'r', error_type: 'retry_exhausted' })).toBe(1);
  });
});
