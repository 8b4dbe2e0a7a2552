import { filter, map, type OperatorFunction } from 'rxjs';
import { batch } from '../../../operators/batch';
import { mapEvents } from '../../../operators/map-events';
import type { Batch } from '../../../src/core/batch';
import { DeliveryError } from '../../../src/core/errors';
import { LostAckError, testStage, transformStage } from '../../../src/testing';

/** A user's stage with the classic bug: it drops batches it does not want without settling their acks. */
function dropsDebugBatchesAndLosesTheirAcks(): OperatorFunction<Batch, Batch> {
  return filter((batch) => batch.events.some((event) => event.level !== 'debug'));
}

describe('testStage', () => {
  it("runs a user's operator over marble input and records each input ack's outcome and virtual time", () => {
    const run = testStage({
      operator: () => mapEvents((event) => ({ ...event, seen: true })),
      input: '-a--b|',
      values: { a: ['one', 'two'], b: [{ message: 'three', level: 'warn' }] },
    });
    run.expectOutput('-a--b|', { a: ['one', 'two'], b: [{ message: 'three', level: 'warn', seen: true }] });
    expect(run.acks.summary()).toEqual({ a: 'resolved@1', b: 'resolved@4' });
    expect(run.completedAt).toBe(5);
  });

  it("catches a user's operator that loses an ack, naming the batch, when it was sent and its events", () => {
    const attempt = () =>
      testStage({
        operator: dropsDebugBatchesAndLosesTheirAcks,
        input: '-a-b-|',
        values: { a: [{ message: 'kept', level: 'info' }], b: [{ message: 'noise', level: 'debug' }] },
      });
    expect(attempt).toThrow(LostAckError);
    expect(attempt).toThrow(/an ack was never settled: the stage lost it\n {2}input batch "b" sent at 3 ms with 1 event \("noise"\): still pending/);
    expect(attempt).toThrow(/must have its ack settled exactly once: resolve\(\) \(delivered, or dropped on purpose\)/);
  });

  it('lets a stage that holds acks by design be checked with allowPending', () => {
    const run = testStage({ operator: () => dropsDebugBatchesAndLosesTheirAcks(), input: 'a|', values: { a: { message: 'x', level: 'debug' } }, allowPending: true });
    expect(run.acks.pending().map((record) => record.label)).toEqual(['a']);
  });

  it('runs time-keeping operators in virtual time: a 10 s batch timeout fires at frame 10000', () => {
    const run = testStage({
      operator: (scheduler) => batch({ maxEvents: 3, maxWaitMs: 10_000, scheduler }),
      input: 'a 999ms b 20s |',
      values: { a: ['1'], b: ['2'] },
    });
    run.expectOutput('10s a 11000ms |', { a: ['1', '2'] });
    expect(run.acks.summary()).toEqual({ a: 'resolved@10000', b: 'resolved@10000' });
  });

  it('records rejections by a scripted downstream, with the failed event indices', () => {
    const run = testStage({
      operator: () => map((item: Batch) => item),
      input: 'a|',
      values: { a: ['x'] },
      downstream: () => new DeliveryError('refused', false),
    });
    expect(run.acks.summary()).toEqual({ a: 'rejected@0: refused' });
    expect(run.acks.get('a').failedIndices).toBe('all');
  });

  it('reports an output mismatch with the frame, the event index and the field path', () => {
    const run = testStage({ operator: () => mapEvents((event) => ({ ...event, http: { status: 500 } })), input: '-a|', values: { a: ['x', 'y'] } });
    expect(() => run.expectOutput('-a|', { a: [{ message: 'x', http: { status: 500 } }, { message: 'y', http: { status: 502 } }] })).toThrow(
      /batch 0 at 1 ms:\n {4}event 1: http\.status: expected 502, got 500/,
    );
    expect(() => run.expectOutput('--a|', { a: ['x', 'y'] })).toThrow(/expected batch at 2 ms, got batch at 1 ms/);
  });

  it('refuses an input letter that has no value', () => {
    expect(() => testStage({ operator: () => map((item: Batch) => item), input: '-a-b|', values: { a: 'x' } })).toThrow(/input letter "b" has no value/);
  });
});

describe('transformStage', () => {
  it('runs a built-in transform by its YAML type and options, acking what it drops on purpose', () => {
    const run = testStage({
      operator: (scheduler) => transformStage('filter', { conditions: [{ field: 'level', in: ['warn', 'error'] }] }, { scheduler }),
      input: '-a-b|',
      values: { a: [{ message: 'x', level: 'error' }, { message: 'y', level: 'info' }], b: [{ message: 'z', level: 'debug' }] },
    });
    run.expectOutput('-a--|', { a: [{ message: 'x', level: 'error' }] });
    expect(run.acks.summary()).toEqual({ a: 'resolved@1', b: 'resolved@3' });
  });

  it('validates the options the way a pipeline does, every problem at once', () => {
    expect(() => transformStage('filter', { conditions: [], mode: 'most' }, { scheduler: undefined as never })).toThrow(
      /transform "filter" does not accept these options:\n {2}conditions: needs at least 1 item\(s\)\n {2}mode: .*most/,
    );
  });
});
