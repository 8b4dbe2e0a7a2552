import fc from 'fast-check';
import { Ack, type AckOutcome, type AckPart } from '../../../src/core/ack';
import { AckError, BatchDeliveryError } from '../../../src/core/errors';

/** An ack whose listener calls are collected. */
function recorded(): { ack: Ack; outcomes: AckOutcome[] } {
  const outcomes: AckOutcome[] = [];
  return { ack: Ack.create((outcome) => outcomes.push(outcome)), outcomes };
}

/** Each ack as a one-event part of a combined batch, in order. */
const pieces = (acks: readonly Ack[]): AckPart[] => acks.map((ack, offset) => ({ ack, offset, count: 1 }));

describe('Ack', () => {
  it('starts unsettled with one reference', () => {
    const ack = Ack.create();
    expect(ack.settled).toBe(false);
    expect(ack.pending).toBe(1);
    expect(ack.result).toBeUndefined();
  });

  it('resolves when its only reference is resolved, telling the listener once', () => {
    const { ack, outcomes } = recorded();
    ack.resolve();
    expect(ack.settled).toBe(true);
    expect(ack.pending).toBe(0);
    expect(ack.result).toEqual({ ok: true });
    expect(outcomes).toEqual([{ ok: true }]);
  });

  it('rejects with the reason when its only reference is rejected', () => {
    const { ack, outcomes } = recorded();
    const failure = new Error('lost');
    ack.reject(failure);
    expect(ack.result).toEqual({ ok: false, reason: failure });
    expect(outcomes).toEqual([{ ok: false, reason: failure }]);
  });

  it('settles only when every retained reference has been settled', () => {
    const { ack, outcomes } = recorded();
    ack.retain(2);
    expect(ack.pending).toBe(3);
    ack.resolve();
    ack.resolve();
    expect(ack.settled).toBe(false);
    expect(outcomes).toEqual([]);
    ack.resolve();
    expect(outcomes).toEqual([{ ok: true }]);
  });

  it('retains one reference by default and returns itself for chaining', () => {
    const ack = Ack.create();
    expect(ack.retain()).toBe(ack);
    expect(ack.pending).toBe(2);
  });

  it('settles rejected with the first reason when any holder rejected, whatever the others did', () => {
    const { ack, outcomes } = recorded();
    const first = new Error('first');
    ack.retain(3);
    ack.resolve();
    ack.reject(first);
    ack.reject(new Error('second'));
    expect(ack.settled).toBe(false);
    ack.resolve();
    expect(outcomes).toEqual([{ ok: false, reason: first }]);
  });

  it('throws AckError when settled twice', () => {
    const ack = Ack.create();
    ack.resolve();
    expect(() => ack.resolve()).toThrow(AckError);
    expect(() => ack.reject(new Error('late'))).toThrow(AckError);
  });

  it('throws AckError when settled more times than it was retained, without telling listeners again', () => {
    const { ack, outcomes } = recorded();
    ack.retain(1);
    ack.resolve();
    ack.reject(new Error('second holder failed'));
    expect(() => ack.resolve()).toThrow(AckError);
    expect(outcomes).toHaveLength(1);
    expect(ack.result?.ok).toBe(false);
  });

  it('throws AckError when retained after it settled', () => {
    const ack = Ack.create();
    ack.resolve();
    expect(() => ack.retain()).toThrow(AckError);
  });

  it('runs every listener once, in the order they were added', () => {
    const calls: string[] = [];
    const ack = Ack.create(() => calls.push('create'));
    ack.onSettled(() => calls.push('second'));
    ack.onSettled(() => calls.push('third'));
    ack.resolve();
    expect(calls).toEqual(['create', 'second', 'third']);
  });

  it('runs a listener added without a create listener', () => {
    const calls: boolean[] = [];
    const ack = Ack.create();
    ack.onSettled((outcome) => calls.push(outcome.ok));
    ack.resolve();
    expect(calls).toEqual([true]);
  });

  it('runs a listener added after it settled at once', () => {
    const failure = new Error('gone');
    const ack = Ack.create();
    ack.reject(failure);
    const outcomes: AckOutcome[] = [];
    ack.onSettled((outcome) => outcomes.push(outcome));
    expect(outcomes).toEqual([{ ok: false, reason: failure }]);
  });

  it('offers the outcome as a promise that never rejects', async () => {
    const failure = new Error('gone');
    const resolved = Ack.create();
    const rejected = Ack.create();
    const promises = [resolved.settledPromise(), rejected.settledPromise()];
    resolved.resolve();
    rejected.reject(failure);
    await expect(Promise.all(promises)).resolves.toEqual([{ ok: true }, { ok: false, reason: failure }]);
    await expect(resolved.settledPromise()).resolves.toEqual({ ok: true });
  });

  describe('all', () => {
    it('resolves every part when the combined ack resolves', () => {
      const parts = [recorded(), recorded(), recorded()];
      const combined = Ack.all(pieces(parts.map((part) => part.ack)));
      expect(parts.every((part) => part.outcomes.length === 0)).toBe(true);
      combined.resolve();
      expect(parts.map((part) => part.outcomes)).toEqual([[{ ok: true }], [{ ok: true }], [{ ok: true }]]);
    });

    it('rejects every part with the reason when the combined ack rejects', () => {
      const failure = new Error('bulk request failed');
      const parts = [recorded(), recorded()];
      Ack.all(pieces(parts.map((part) => part.ack))).reject(failure);
      // Each part hears that its one event failed with that reason (see failure identity below).
      for (const part of parts) {
        const [outcome] = part.outcomes;
        expect(outcome.ok).toBe(false);
        const reason = (outcome as { reason: Error }).reason as BatchDeliveryError;
        expect(reason.failures.map((f) => [f.index, f.error])).toEqual([[0, failure]]);
      }
    });

    it('settles one reference of each part, leaving their other holders to settle theirs', () => {
      const { ack, outcomes } = recorded();
      ack.retain();
      Ack.all(pieces([ack, Ack.create()])).resolve();
      expect(outcomes).toEqual([]);
      expect(ack.pending).toBe(1);
    });

    it('settles a part it holds twice twice (two pieces of one split batch)', () => {
      const { ack, outcomes } = recorded();
      ack.retain();
      Ack.all(pieces([ack, ack])).resolve();
      expect(outcomes).toEqual([{ ok: true }]);
    });

    // Regression: a single part was returned as the combined ack itself, so a failure naming
    // no events failed the whole input, even the pieces of it that sat in other batches.
    it('fails only the events of a single part, not its whole batch, when the combined ack is rejected', () => {
      const { ack, outcomes } = recorded();
      ack.retain(); // a second piece of the same input, delivered elsewhere
      Ack.all([{ ack, offset: 0, count: 2 }]).reject(new Error('send failed'));
      ack.resolve();
      const reason = (outcomes[0] as { reason: Error }).reason as BatchDeliveryError;
      expect(reason.failures.map((failure) => failure.index)).toEqual([0, 1]);
    });

    it('can itself be retained, settling its parts after its last holder', () => {
      const part = recorded();
      const combined = Ack.all(pieces([part.ack, Ack.create()])).retain();
      combined.resolve();
      expect(part.outcomes).toEqual([]);
      combined.resolve();
      expect(part.outcomes).toEqual([{ ok: true }]);
    });
  });

  it('accepts exactly one settle per reference, and throws AckError on the next', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.array(fc.boolean(), { minLength: 21, maxLength: 21 }), (extra, oks) => {
        const { ack, outcomes } = recorded();
        if (extra > 0) ack.retain(extra);
        for (let i = 0; i <= extra; i++) {
          expect(ack.settled).toBe(false);
          if (oks[i]) ack.resolve();
          else ack.reject(new Error(`holder ${i}`));
        }
        expect(outcomes).toHaveLength(1);
        expect(outcomes[0].ok).toBe(oks.slice(0, extra + 1).every(Boolean));
        expect(() => ack.resolve()).toThrow(AckError);
        expect(() => ack.reject(new Error('extra'))).toThrow(AckError);
        expect(outcomes).toHaveLength(1);
      }),
    );
  });

  describe('in random pipelines (property)', () => {
    /** One step a pipeline stage may take on the references it holds. */
    type Step =
      | { kind: 'fanOut'; at: number; branches: number }
      | { kind: 'split'; at: number; pieces: number }
      | { kind: 'filter'; at: number }
      | { kind: 'rebatch'; at: number[] }
      | { kind: 'settle'; at: number; ok: boolean }
      | { kind: 'source' };

    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('fanOut' as const), at: fc.nat(), branches: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('split' as const), at: fc.nat(), pieces: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('filter' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('rebatch' as const), at: fc.array(fc.nat(), { minLength: 1, maxLength: 5 }) }),
      fc.record({ kind: fc.constant('settle' as const), at: fc.nat(), ok: fc.boolean() }),
      fc.record({ kind: fc.constant('source' as const) }),
    );

    /** A reference some stage holds, and the source batches (roots) whose events it carries. */
    interface Held {
      readonly ack: Ack;
      readonly roots: ReadonlySet<number>;
      /** Events the reference carries (a root carries one; a combined batch, its parts'). */
      readonly size: number;
    }

    it('settles every root exactly once, rejected if and only if some leaf holding its events rejected', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 1, max: 5 }),
          fc.array(step, { maxLength: 80 }),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 64 }),
          (initialRoots, steps, finalOks) => {
            const settlements: AckOutcome[][] = [];
            const mustReject: boolean[] = [];
            const combinedSettlements: number[] = [];
            let held: Held[] = [];

            const addRoot = (): void => {
              const root = settlements.length;
              settlements.push([]);
              mustReject.push(false);
              held.push({ ack: Ack.create((outcome) => settlements[root].push(outcome)), roots: new Set([root]), size: 1 });
            };
            const take = (at: number): Held => held.splice(at % held.length, 1)[0];
            const settle = (reference: Held, ok: boolean): void => {
              if (ok) {
                reference.ack.resolve();
              } else {
                for (const root of reference.roots) mustReject[root] = true;
                reference.ack.reject(new Error('leaf failed'));
              }
            };

            for (let i = 0; i < initialRoots; i++) addRoot();
            for (const s of steps) {
              if (s.kind === 'source') {
                addRoot();
                continue;
              }
              if (held.length === 0) continue;
              switch (s.kind) {
                case 'fanOut':
                case 'split': {
                  // One reference per branch (fan-out) or per piece (split): retain the extras.
                  const reference = take(s.at);
                  const copies = s.kind === 'fanOut' ? s.branches : s.pieces;
                  if (copies > 1) reference.ack.retain(copies - 1);
                  for (let c = 0; c < copies; c++) held.push(reference);
                  break;
                }
                case 'filter':
                  // Every event dropped on purpose: the holder resolves its reference.
                  settle(take(s.at), true);
                  break;
                case 'rebatch': {
                  const parts: Held[] = [];
                  for (const at of s.at) if (held.length > 0) parts.push(take(at));
                  let offset = 0;
                  const combined = Ack.all(
                    parts.map((part) => {
                      const piece = { ack: part.ack, offset, count: part.size };
                      offset += part.size;
                      return piece;
                    }),
                  );
                  if (parts.length > 1) {
                    const id = combinedSettlements.length;
                    combinedSettlements.push(0);
                    combined.onSettled(() => (combinedSettlements[id] += 1));
                  }
                  const roots = new Set(parts.flatMap((part) => [...part.roots]));
                  held.push({ ack: combined, roots, size: offset });
                  break;
                }
                case 'settle':
                  settle(take(s.at), s.ok);
                  break;
              }
            }
            // The sinks settle whatever is still held, at random.
            const leaves = held;
            held = [];
            leaves.forEach((reference, index) => settle(reference, finalOks[index % finalOks.length]));

            settlements.forEach((outcomes, root) => {
              expect(outcomes).toHaveLength(1);
              expect(outcomes[0].ok).toBe(!mustReject[root]);
            });
            expect(combinedSettlements.every((count) => count === 1)).toBe(true);
          },
        ),
        { numRuns: 500 },
      );
    });
  });
});

describe('Ack listeners', () => {
  // Regression: a listener that threw stopped the listeners after it, so a source's credit
  // release (or the other parts of Ack.all) never ran.
  it('runs every listener even when one throws, then rethrows the first error', () => {
    const seen: string[] = [];
    const ack = Ack.create(() => {
      seen.push('first');
      throw new Error('listener bug');
    });
    ack.onSettled(() => seen.push('second'));
    expect(() => ack.resolve()).toThrow('listener bug');
    expect(seen).toEqual(['first', 'second']);
    expect(ack.settled).toBe(true);
  });

  it('settles every part of a combined ack even when one part listener throws', () => {
    const a = Ack.create(() => {
      throw new Error('part a listener bug');
    });
    const b = Ack.create();
    expect(() => Ack.all(pieces([a, b])).resolve()).toThrow('part a listener bug');
    expect(b.result).toEqual({ ok: true });
  });
});
