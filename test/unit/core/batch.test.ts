import { Ack } from '../../../src/core/ack';
import { createBatch, estimateBytes, withEvents } from '../../../src/core/batch';

describe('createBatch', () => {
  it('gives the events a fresh unsettled ack and sizes them by their encoding', () => {
    const batch = createBatch([{ message: 'hello' }]);
    expect(batch.ack.settled).toBe(false);
    expect(batch.ack.pending).toBe(1);
    expect(batch.bytes).toBe(estimateBytes([{ message: 'hello' }]));
  });

  it('keeps the ack and byte count it is given', () => {
    const ack = Ack.create();
    const batch = createBatch([], ack, 512);
    expect(batch.ack).toBe(ack);
    expect(batch.bytes).toBe(512);
  });
});

describe('withEvents', () => {
  it('carries the ack, bytes and shared flag of the batch over to other events', () => {
    const batch = { ...createBatch([{ message: 'a' }], Ack.create(), 40), shared: true };
    const next = withEvents(batch, [{ message: 'A' }]);
    expect(next).toEqual({ events: [{ message: 'A' }], ack: batch.ack, bytes: 40, shared: true });
    expect(batch.events).toEqual([{ message: 'a' }]);
  });
});

describe('estimateBytes', () => {
  it('counts a string message by its length plus room for the envelope', () => {
    expect(estimateBytes([{ message: 'abcd' }, { message: '' }])).toBe(4 + 32 + 32);
  });

  it('counts an event without a string message as its JSON line', () => {
    const event = { level: 'info', status: 200 };
    expect(estimateBytes([event])).toBe(JSON.stringify(event).length + 1);
  });

  it('counts nothing for no events', () => {
    expect(estimateBytes([])).toBe(0);
  });
});
