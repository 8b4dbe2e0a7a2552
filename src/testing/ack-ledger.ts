import type { SchedulerLike } from 'rxjs';
import type { Ack } from '../core/ack';
import { BatchDeliveryError } from '../core/errors';
import type { LogEvent } from '../core/event';

/** Where a traced ack stands. */
export type AckState = 'pending' | 'resolved' | 'rejected';

/** What became of one traced batch's ack. */
export interface AckRecord {
  readonly label: string;
  readonly state: AckState;
  /** Virtual time (the scheduler's `now()`) the batch was handed to the stage under test. */
  readonly sentAt?: number;
  /** Virtual time the ack settled. */
  readonly settledAt?: number;
  /** The rejection, when rejected. */
  readonly reason?: Error;
  /** The indices of the batch's events the rejection names, or `all` when it names none. */
  readonly failedIndices?: readonly number[] | 'all';
  /** How many times the ack settled: exactly once is the contract. */
  readonly settlements: number;
  readonly events: readonly LogEvent[];
}

/**
 * Thrown when a batch's ack was never settled: the stage under test lost it. An ack that
 * nobody resolves or rejects holds its source's credit forever, so in production the source
 * stops reading once enough of them pile up: a stall, not an error, and hard to trace back.
 */
export class LostAckError extends Error {
  override name = 'LostAckError';
  constructor(readonly lost: readonly AckRecord[]) {
    super(
      `${lost.length === 1 ? 'an ack was' : `${lost.length} acks were`} never settled: the stage lost ${lost.length === 1 ? 'it' : 'them'}\n` +
        lost.map((record) => `  ${describe(record)}`).join('\n') +
        '\nEvery batch a stage receives must have its ack settled exactly once: resolve() (delivered, or dropped on purpose),' +
        ' reject(error) (failed), or handed on with the batch it emits (withEvents, ack.slice/pick, Ack.all).',
    );
  }
}

function describe(record: AckRecord): string {
  const preview = record.events
    .slice(0, 3)
    .map((event) => JSON.stringify(event.message ?? event))
    .join(', ');
  const more = record.events.length > 3 ? `, … ${record.events.length - 3} more` : '';
  const when = record.sentAt === undefined ? '' : ` sent at ${record.sentAt} ms`;
  return `input batch "${record.label}"${when} with ${record.events.length} event${record.events.length === 1 ? '' : 's'} (${preview}${more}): still pending`;
}

interface Entry {
  events: readonly LogEvent[];
  sentAt?: number;
  settledAt?: number;
  outcomes: Array<{ ok: true } | { ok: false; reason: Error }>;
}

/**
 * Traces acks by label: when each batch was sent and when, how and how often its ack
 * settled (on the given scheduler's clock). The "source" end of a stage under test.
 */
export class AckLedger {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly scheduler?: SchedulerLike) {}

  /** Traces `ack` (of a batch holding `events`) under `label`; returns the ack. */
  trace(ack: Ack, label: string, events: readonly LogEvent[] = []): Ack {
    if (this.entries.has(label)) throw new Error(`ack label "${label}" is already traced; give every input batch its own`);
    const entry: Entry = { events, outcomes: [] };
    this.entries.set(label, entry);
    ack.onSettled((outcome) => {
      entry.outcomes.push(outcome);
      entry.settledAt ??= this.scheduler?.now();
    });
    return ack;
  }

  /** Notes the virtual time a traced batch was handed to the stage (its first emission). */
  markSent(label: string): void {
    const entry = this.entries.get(label);
    if (entry && entry.sentAt === undefined) entry.sentAt = this.scheduler?.now();
  }

  /** Every traced label, in the order traced. */
  labels(): string[] {
    return [...this.entries.keys()];
  }

  /** What became of the ack traced under `label`. */
  get(label: string): AckRecord {
    const entry = this.entries.get(label);
    if (!entry) throw new Error(`no ack is traced under "${label}"; traced: ${this.labels().join(', ') || 'none'}`);
    const [first] = entry.outcomes;
    const reason = first && !first.ok ? first.reason : undefined;
    return {
      label,
      state: first === undefined ? 'pending' : first.ok ? 'resolved' : 'rejected',
      sentAt: entry.sentAt,
      settledAt: entry.settledAt,
      reason,
      failedIndices: reason === undefined ? undefined : reason instanceof BatchDeliveryError ? reason.failures.map((failure) => failure.index) : 'all',
      settlements: entry.outcomes.length,
      events: entry.events,
    };
  }

  /** Every record, in the order traced. */
  all(): AckRecord[] {
    return this.labels().map((label) => this.get(label));
  }

  /**
   * One readable line per ack, for a single `toEqual`: `resolved@3`, `rejected@5: boom`,
   * `pending`. Times are virtual milliseconds since the epoch of the scheduler.
   */
  summary(): Record<string, string> {
    return Object.fromEntries(
      this.all().map((record) => {
        if (record.state === 'pending') return [record.label, 'pending'];
        const at = record.settledAt === undefined ? '' : `@${record.settledAt}`;
        return [record.label, record.state === 'resolved' ? `resolved${at}` : `rejected${at}: ${causeOf(record.reason)}`];
      }),
    );
  }

  /** The records never settled. */
  pending(): AckRecord[] {
    return this.all().filter((record) => record.state === 'pending');
  }

  /** Throws {@link LostAckError} naming every ack never settled. */
  assertAllSettled(): void {
    const lost = this.pending();
    if (lost.length > 0) throw new LostAckError(lost);
  }
}

/** The message of a rejection, or of its first failed event when it names them. */
export function causeOf(reason: Error | undefined): string {
  if (reason === undefined) return '';
  if (reason instanceof BatchDeliveryError) return reason.failures[0]?.error.message ?? reason.message;
  return reason.message;
}
