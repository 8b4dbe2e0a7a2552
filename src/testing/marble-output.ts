import { TestScheduler } from 'rxjs/testing';
import type { LogEvent } from '../core/event';
import { diffEvents, formatDifferences } from './event-diff';
import type { BatchValue, EventLike } from './event-like';

/** What an expected letter's events are compared on: the message alone for strings. */
function comparable(expected: BatchValue, actual: readonly LogEvent[]): { want: LogEvent[]; got: LogEvent[] } {
  const list: readonly EventLike[] = Array.isArray(expected) ? expected : [expected as EventLike];
  const want = list.map((item) => (typeof item === 'string' ? { message: item } : item));
  const got = actual.map((event, index) => (typeof list[index] === 'string' ? { message: event.message } : event));
  return { want, got };
}

/** One notification of an output, actual (with its events) or expected (with its marble value). */
export interface OutputNote {
  readonly frame: number;
  readonly kind: 'N' | 'E' | 'C';
  readonly events?: readonly LogEvent[];
  readonly value?: BatchValue;
}

function renderNote(note: OutputNote): string {
  if (note.kind === 'C') return `complete at ${note.frame} ms`;
  if (note.kind === 'E') return `error at ${note.frame} ms`;
  return `batch at ${note.frame} ms`;
}

/**
 * Compares what a stage emitted with expected marbles (letters are batches, one frame one
 * millisecond): one readable line per difference, naming the frame, the batch, the event
 * index and the field paths; empty when they match.
 */
export function compareOutput(actual: readonly OutputNote[], marbles: string, values: Readonly<Record<string, BatchValue>>): string[] {
  // Parsed inside run(): only there is one frame one millisecond, as in the input marbles.
  const parsed = new TestScheduler(() => undefined).run(() => TestScheduler.parseMarbles(marbles, values as Record<string, unknown>, undefined, true, true));
  const expected: OutputNote[] = parsed.map((message) => ({
    frame: message.frame,
    kind: message.notification.kind,
    value: message.notification.kind === 'N' ? (message.notification.value as BatchValue) : undefined,
  }));
  const problems: string[] = [];
  for (let index = 0; index < Math.max(expected.length, actual.length); index += 1) {
    const want = expected[index];
    const got = actual[index];
    if (!want) problems.push(`  unexpected ${renderNote(got)}${got.events ? `: ${JSON.stringify(got.events)}` : ''}`);
    else if (!got) problems.push(`  missing ${renderNote(want)}`);
    else if (want.kind !== got.kind || (want.kind !== 'E' && want.frame !== got.frame)) problems.push(`  expected ${renderNote(want)}, got ${renderNote(got)}`);
    else if (want.kind === 'N' && want.value !== undefined && got.events) {
      const { want: wanted, got: gotten } = comparable(want.value, got.events);
      const differences = diffEvents(wanted, gotten);
      if (differences.length > 0) problems.push(`  batch ${index} at ${got.frame} ms:\n${formatDifferences(differences, '    ')}`);
    }
  }
  return problems;
}
