import fc from 'fast-check';
import { lastValueFrom, merge, pipe, toArray, from, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import { batch } from '../../../operators/batch';
import { memoryBuffer } from '../../../operators/buffer/memory';
import { deliver } from '../../../operators/deliver';
import { filterEvents } from '../../../operators/filter-events';
import { deadLetter } from '../../../operators/reliability/dead-letter';
import { retry } from '../../../operators/reliability/retry';
import { tee } from '../../../operators/tee';
import { Ack, type AckOutcome } from '../../../src/core/ack';
import type { Batch } from '../../../src/core/batch';
import { DeliveryError, type FailedEvent } from '../../../src/core/errors';
import type { LogEvent } from '../../../src/core/event';
import type { SendResult, Sink } from '../../../src/core/sink';
import type { DeadLetterEntry } from '../../../src/dlq/entry';

jest.setTimeout(120_000);

/** A stage a random graph may put on a branch. */
type StageSpec = { kind: 'batch'; size: number } | { kind: 'filter'; modulo: number } | { kind: 'retry' } | { kind: 'buffer' };

const stageSpec: fc.Arbitrary<StageSpec> = fc.oneof(
  fc.record({ kind: fc.constant('batch' as const), size: fc.integer({ min: 1, max: 9 }) }),
  fc.record({ kind: fc.constant('filter' as const), modulo: fc.integer({ min: 2, max: 7 }) }),
  fc.record({ kind: fc.constant('retry' as const) }),
  fc.record({ kind: fc.constant('buffer' as const) }),
);

/** What one branch saw, by event id. */
interface Ledger {
  readonly delivered: Set<number>;
  readonly deadLettered: Set<number>;
  readonly filtered: Set<number>;
}

const idOf = (event: LogEvent): number => Number(event.message);

/** Fails event `id` on its first `flaky(id)` tries (retryably) and for good when `poison(id)`. */
function scriptedSink(ledger: Ledger, flaky: (id: number) => number, poison: (id: number) => boolean): Sink {
  const tries = new Map<number, number>();
  return {
    async send(sent: Batch): Promise<SendResult> {
      const failures: FailedEvent[] = [];
      sent.events.forEach((event, index) => {
        const id = idOf(event);
        const attempt = (tries.get(id) ?? 0) + 1;
        tries.set(id, attempt);
        if (poison(id)) failures.push({ index, error: new DeliveryError('refused', false), retryable: false });
        else if (attempt <= flaky(id)) failures.push({ index, error: new DeliveryError('busy', true), retryable: true });
        else ledger.delivered.add(id);
      });
      return { failures };
    },
    close: async () => undefined,
  };
}

function stage(spec: StageSpec, ledger: Ledger): MonoTypeOperatorFunction<Batch> {
  switch (spec.kind) {
    case 'batch':
      return batch({ maxEvents: spec.size, maxWaitMs: 1 });
    case 'filter':
      return filterEvents((event) => {
        const keep = idOf(event) % spec.modulo !== 0;
        if (!keep) ledger.filtered.add(idOf(event));
        return keep;
      });
    case 'retry':
      return retry({ initialMs: 0, maxMs: 1, maxRetries: 0 });
    case 'buffer':
      return memoryBuffer({ maxEvents: 50, maxBytes: 1 << 20, maxInFlight: 2, emitMaxEvents: 7 });
  }
}

/** One branch: its random stages, then the sink chain every sink has (dead letter → retry → deliver). */
function branch(input: Observable<Batch>, specs: readonly StageSpec[], ledger: Ledger, flaky: (id: number) => number, poison: (id: number) => boolean): Observable<unknown> {
  const queue = {
    append: async (entries: readonly DeadLetterEntry[]) => {
      for (const entry of entries) ledger.deadLettered.add(idOf(entry.event));
    },
  };
  const stages = specs.reduce<MonoTypeOperatorFunction<Batch>>((chain, spec) => pipe(chain, stage(spec, ledger)), (source) => source);
  return input.pipe(stages, deadLetter(queue, { component: 'out' }), retry({ initialMs: 0, maxMs: 2, maxRetries: 4 }), deliver(scriptedSink(ledger, flaky, poison), { concurrency: 2 }));
}

describe('delivery contract in random graphs (issue 7, property)', () => {
  it('delivers, dead-letters or counts as filtered every event of every branch, and settles every source ack exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 12 }),
        fc.array(fc.array(stageSpec, { maxLength: 5 }), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 0, max: 1000 }),
        async (sizes, branches, seed) => {
          const flaky = (id: number): number => (id * 7 + seed) % 4; // 0..3 retryable failures, within the sink's 4 retries
          const poison = (id: number): boolean => (id * 13 + seed) % 17 === 0;
          const settled = new Map<number, AckOutcome[]>();
          let next = 0;
          const batches = sizes.map((size, b) => {
            const events = Array.from({ length: size }, () => ({ message: String(next++) }));
            settled.set(b, []);
            return { events, ack: Ack.create((outcome) => settled.get(b)?.push(outcome)), bytes: size * 10 } satisfies Batch;
          });
          const ledgers: Ledger[] = branches.map(() => ({ delivered: new Set(), deadLettered: new Set(), filtered: new Set() }));
          const readers = tee(from(batches), branches.length);
          await lastValueFrom(merge(...readers.map((reader, i) => branch(reader, branches[i], ledgers[i], flaky, poison))).pipe(toArray()));
          for (const ledger of ledgers) {
            for (let id = 0; id < next; id++) {
              const accounted = Number(ledger.delivered.has(id)) + Number(ledger.deadLettered.has(id)) + Number(ledger.filtered.has(id));
              expect([id, accounted >= 1]).toEqual([id, true]);
              expect([id, ledger.deadLettered.has(id)]).toEqual([id, poison(id) && !ledger.filtered.has(id)]);
            }
          }
          // Every source ack settled exactly once, and resolved: what failed for good is in the queue.
          for (const outcomes of settled.values()) expect(outcomes).toEqual([{ ok: true }]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
