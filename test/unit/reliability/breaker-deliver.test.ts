import { from, lastValueFrom, toArray } from 'rxjs';
import { deliver } from '../../../operators/deliver';
import { circuitBreaker, CircuitOpenError, type CircuitState } from '../../../operators/reliability/circuit-breaker';
import { retry } from '../../../operators/reliability/retry';
import { BatchDeliveryError, DeliveryError } from '../../../src/core/errors';
import { DELIVERED } from '../../../src/core/sink';
import { AckRecorder, FakeSink } from '../../helpers/batches';

// retry → circuit_breaker → deliver, the order of a sink stage, in real time with short delays.

describe('retry → circuitBreaker → deliver', () => {
  let acks: AckRecorder;
  let transitions: string[];
  const onStateChange = (from: CircuitState, to: CircuitState) => transitions.push(`${from}→${to}`);

  beforeEach(() => {
    acks = new AckRecorder();
    transitions = [];
  });

  it('counts every retry attempt toward the breaker, and with when_open reject fails the rest for good with CircuitOpenError', async () => {
    const sink = new FakeSink(() => {
      throw new DeliveryError('503', true);
    });
    const breaker = circuitBreaker({ failureThreshold: 3, resetTimeoutMs: 60_000, whenOpen: 'reject', onStateChange });
    await lastValueFrom(from([acks.batch('a', '1', '2')]).pipe(retry({ initialMs: 1, jitter: 0, maxRetries: 10 }), breaker, deliver(sink), toArray()));
    expect(sink.sent).toHaveLength(3);
    expect(transitions).toEqual(['closed→open']);
    const reason = acks.reason('a');
    expect(reason).toBeInstanceOf(BatchDeliveryError);
    const failures = (reason as BatchDeliveryError).failures;
    expect(failures.map(({ index, attempts, retryable }) => ({ index, attempts, retryable }))).toEqual([
      { index: 0, attempts: 4, retryable: false },
      { index: 1, attempts: 4, retryable: false },
    ]);
    expect(failures[0].error).toBeInstanceOf(CircuitOpenError);
  });

  it('holds retries while the circuit is open with when_open wait and delivers everything once a trial succeeds', async () => {
    const delivered: string[] = [];
    const sink = new FakeSink((batch, call) => {
      if (call < 2) throw new DeliveryError('connection refused', true);
      delivered.push(...batch.events.map((event) => String(event.message)));
      return DELIVERED;
    });
    const breaker = circuitBreaker({ failureThreshold: 2, resetTimeoutMs: 20, onStateChange });
    const started = performance.now();
    await lastValueFrom(from([acks.batch('a', '1'), acks.batch('b', '2')]).pipe(retry({ initialMs: 1, jitter: 0 }), breaker, deliver(sink), toArray()));
    expect(performance.now() - started).toBeGreaterThanOrEqual(15);
    expect(transitions).toEqual(['closed→open', 'open→half-open', 'half-open→closed']);
    expect(delivered.sort()).toEqual(['1', '2']);
    expect(acks.states('a', 'b')).toEqual({ a: 'resolved', b: 'resolved' });
  });
});
