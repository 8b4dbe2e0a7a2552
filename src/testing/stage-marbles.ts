import { tap, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Batch } from '../core/batch';
import type { LogEvent } from '../core/event';
import { AckLedger } from './ack-ledger';
import { tracedBatch, type BatchValue } from './event-like';
import { compareOutput, type OutputNote } from './marble-output';

/** What the stand-in downstream does with each emitted batch: settle it as a sink would. */
export type Downstream = 'deliver' | 'hold' | ((batch: Batch, call: number) => 'deliver' | 'hold' | Error);

/** Options of {@link testStage}. */
export interface StageTestOptions {
  /**
   * Builds the stage under test. It is handed the virtual-time scheduler: pass it to every
   * operator that keeps time (batch timeouts, backoff, windows) instead of `asyncScheduler`.
   */
  readonly operator: (scheduler: SchedulerLike) => OperatorFunction<Batch, Batch>;
  /** Input marbles: one frame per character, one millisecond each (`-a-b 10ms c|`). */
  readonly input: string;
  /** The events of each batch letter in `input`; each letter gets a traced ack of its own. */
  readonly values: Readonly<Record<string, BatchValue>>;
  /** Settles what the stage emits: `deliver` (default) resolves each ack, `hold` keeps it. */
  readonly downstream?: Downstream;
  /** Acks still pending at the end are expected (the stage holds them by design): no {@link LostAckError}. */
  readonly allowPending?: boolean;
}

/** One batch the stage emitted, with the virtual time it came out at. */
export interface EmittedBatch {
  readonly at: number;
  readonly events: readonly LogEvent[];
  readonly batch: Batch;
}

/** A stage's run under virtual time. */
export interface StageRun {
  readonly emitted: readonly EmittedBatch[];
  /** When the output completed, if it did. */
  readonly completedAt?: number;
  /** The error the output ended with, if any. */
  readonly error?: unknown;
  /** The input batches' acks, by letter: when and how each settled. */
  readonly acks: AckLedger;
  /** The batches a `hold` downstream kept, unsettled. */
  readonly held: readonly Batch[];
  /**
   * Asserts the output against marbles: letters stand for batches (strings compare with the
   * event's `message`, objects with the whole event), `|` completion, `#` an error. Throws an
   * error naming the frame, the event index and the field paths that differ.
   */
  expectOutput(marbles: string, values?: Readonly<Record<string, BatchValue>>): void;
}

/**
 * Runs a stage (any `OperatorFunction<Batch, Batch>`: a user's own, or a built-in transform
 * from {@link transformStage}) over marble input under rxjs's `TestScheduler`, each input
 * batch carrying a traced ack. Throws {@link LostAckError} when an input ack is still pending
 * at the end although everything the stage emitted was settled: the stage lost it.
 *
 * @example
 * const run = testStage({ operator: () => redact(['password']), input: '-a-|', values: { a: [{ message: 'x', password: 'p' }] } });
 * run.expectOutput('-a-|', { a: [{ message: 'x' }] });
 * expect(run.acks.summary()).toEqual({ a: 'resolved@1' });
 */
export function testStage(options: StageTestOptions): StageRun {
  const scheduler = new TestScheduler((actual, expected) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error('unexpected marble mismatch');
  });
  const acks = new AckLedger(scheduler);
  const emitted: EmittedBatch[] = [];
  const held: Batch[] = [];
  const downstream = options.downstream ?? 'deliver';
  let completedAt: number | undefined;
  let error: unknown;
  // Time progressions (` 10ms `, ` 1.5s `) are not letters; everything else alphanumeric is.
  const withoutTime = options.input.replace(/(^|\s)\d+(\.\d+)?(ms|s|m)(?=\s|$)/g, ' ');
  const letters = new Set([...withoutTime].filter((char) => /[A-Za-z0-9]/.test(char)));
  for (const letter of letters) if (!(letter in options.values)) throw new Error(`input letter "${letter}" has no value; give it events in values`);
  scheduler.run(({ cold }) => {
    const batches: Record<string, Batch> = {};
    const labelOf = new Map<Batch, string>();
    for (const letter of letters) {
      batches[letter] = tracedBatch(acks, letter, options.values[letter]);
      labelOf.set(batches[letter], letter);
    }
    let call = 0;
    const input = cold<Batch>(options.input, batches).pipe(tap((batch) => acks.markSent(labelOf.get(batch) ?? '')));
    input.pipe(options.operator(scheduler)).subscribe({
      next(batch) {
        emitted.push({ at: scheduler.now(), events: batch.events, batch });
        const verdict = typeof downstream === 'function' ? downstream(batch, call++) : downstream;
        if (verdict === 'deliver') batch.ack.resolve();
        else if (verdict === 'hold') held.push(batch);
        else batch.ack.reject(verdict);
      },
      error(reason: unknown) {
        error = reason;
      },
      complete() {
        completedAt = scheduler.now();
      },
    });
  });
  // A stage that errored hands what it held to the graph's guard, which rejects it: not a loss.
  if (!options.allowPending && held.length === 0 && error === undefined) acks.assertAllSettled();
  const actualNotes = (): OutputNote[] => [
    ...emitted.map((item): OutputNote => ({ frame: item.at, kind: 'N', events: item.events })),
    ...(completedAt === undefined ? [] : [{ frame: completedAt, kind: 'C' as const }]),
    ...(error === undefined ? [] : [{ frame: Number.NaN, kind: 'E' as const }]),
  ];
  return {
    emitted,
    completedAt,
    error,
    acks,
    held,
    expectOutput(marbles, values = {}) {
      const problems = compareOutput(actualNotes(), marbles, values);
      if (problems.length > 0) throw new Error(`the stage's output differs from ${JSON.stringify(marbles)}:\n${problems.join('\n')}`);
    },
  };
}
