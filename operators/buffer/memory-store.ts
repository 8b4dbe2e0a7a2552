import type { LogEvent } from '../../src/core/event';
import type { Outgoing } from './outlet';
import type { BufferHooks, WhenFull } from './policy';
import { Ring } from '../../src/core/ring';

/** Events the buffer owns (their upstream was acked), as one input batch brought them. */
export interface Chunk {
  readonly events: LogEvent[];
  readonly bytes: number;
  readonly shared?: boolean;
}

/** The bounds and policy of a {@link MemoryStore}. */
export interface StoreLimits {
  readonly maxEvents: number;
  readonly maxBytes: number;
  readonly whenFull: WhenFull;
  readonly sampleRate: number;
  readonly sampleHighWater: number;
}

/** What became of an offered chunk: kept (maybe sampled), dropped whole, or no room (`block`). */
export type OfferResult = 'stored' | 'dropped' | 'full' | 'rejected';

const slice = (chunk: Chunk, from: number): Chunk => ({
  events: chunk.events.slice(from),
  bytes: Math.round((chunk.bytes * (chunk.events.length - from)) / chunk.events.length),
  shared: chunk.shared,
});

/**
 * The bounded queue of a memory buffer, sized in events and bytes, applying the
 * `when_full` policy to what is offered. A chunk always fits an empty store, so one batch
 * larger than the bounds passes instead of blocking forever.
 */
export class MemoryStore {
  private readonly queue = new Ring<Chunk>();
  private heldEvents = 0;
  private heldBytes = 0;
  private sampleCounter = 0;

  constructor(
    private readonly limits: StoreLimits,
    private readonly hooks: BufferHooks,
  ) {}

  /** Events held. */
  get events(): number {
    return this.heldEvents;
  }

  /** Bytes held, by the batches' sizes. */
  get bytes(): number {
    return this.heldBytes;
  }

  /** How full the store is, 0..1: the fuller of its two bounds. */
  get utilisation(): number {
    const fraction = Math.max(this.heldEvents / this.limits.maxEvents, this.heldBytes / this.limits.maxBytes);
    return Math.min(1, fraction);
  }

  /** True when `events`/`bytes` more would stay within the bounds (or the store is empty). */
  fits(events: number, bytes: number): boolean {
    if (this.heldEvents === 0) return true;
    return this.heldEvents + events <= this.limits.maxEvents && this.heldBytes + bytes <= this.limits.maxBytes;
  }

  /** Offers a chunk under the policy; `full` (only with `block`) means the caller must wait. */
  offer(input: Chunk): OfferResult {
    let chunk = input;
    const { whenFull } = this.limits;
    if (whenFull === 'sample' && this.utilisation >= this.limits.sampleHighWater) {
      chunk = this.sample(chunk);
      if (chunk.events.length === 0) return 'dropped';
    }
    if (whenFull === 'drop_oldest') this.evictFor(chunk);
    if (!this.fits(chunk.events.length, chunk.bytes)) {
      if (whenFull === 'block') return 'full';
      if (whenFull === 'reject') return 'rejected';
      this.hooks.onDiscard?.('drop_newest', chunk.events.length);
      return 'dropped';
    }
    this.push(chunk);
    return 'stored';
  }

  /** Takes the oldest chunks, merged up to `maxEvents`/`maxBytes` (one chunk at least). */
  take(maxEvents: number, maxBytes: number): Outgoing<number> | undefined {
    const first = this.shiftChunk();
    if (first === undefined) return undefined;
    let next = this.queue.peek();
    if (next === undefined || first.events.length + next.events.length > maxEvents) return { ...first, token: first.events.length };
    const events = first.events.slice();
    let { bytes } = first;
    let shared = first.shared === true;
    while (next !== undefined && events.length + next.events.length <= maxEvents && bytes + next.bytes <= maxBytes) {
      this.shiftChunk();
      for (const event of next.events) events.push(event);
      bytes += next.bytes;
      shared ||= next.shared === true;
      next = this.queue.peek();
    }
    return { events, bytes, shared, token: events.length };
  }

  /** Empties the store; returns how many events it held. */
  clear(): number {
    const held = this.heldEvents;
    this.queue.drain();
    this.heldEvents = 0;
    this.heldBytes = 0;
    return held;
  }

  private push(chunk: Chunk): void {
    this.queue.push(chunk);
    this.heldEvents += chunk.events.length;
    this.heldBytes += chunk.bytes;
  }

  private shiftChunk(): Chunk | undefined {
    const chunk = this.queue.shift();
    if (chunk !== undefined) {
      this.heldEvents -= chunk.events.length;
      this.heldBytes -= chunk.bytes;
    }
    return chunk;
  }

  /** `drop_oldest`: evicts from the head, trimming the oldest chunk, until `chunk` fits. */
  private evictFor(chunk: Chunk): void {
    const { maxEvents, maxBytes } = this.limits;
    for (let head = this.queue.peek(); head !== undefined && !this.fits(chunk.events.length, chunk.bytes); head = this.queue.peek()) {
      const overEvents = this.heldEvents + chunk.events.length - maxEvents;
      const overBytes = this.heldBytes + chunk.bytes - maxBytes;
      const perEvent = head.bytes / head.events.length || 1;
      const evict = Math.max(overEvents, Math.ceil(overBytes / perEvent), 1);
      if (evict >= head.events.length) {
        this.shiftChunk();
        this.hooks.onDiscard?.('drop_oldest', head.events.length);
      } else {
        const rest = slice(head, evict);
        this.queue.replaceHead(rest);
        this.heldEvents -= evict;
        this.heldBytes -= head.bytes - rest.bytes;
        this.hooks.onDiscard?.('drop_oldest', evict);
      }
    }
  }

  /** `sample`: keeps one event in `sampleRate`, counting the rest. */
  private sample(chunk: Chunk): Chunk {
    const { sampleRate } = this.limits;
    const kept: LogEvent[] = [];
    for (const event of chunk.events) {
      if (this.sampleCounter % sampleRate === 0) kept.push(event);
      this.sampleCounter += 1;
    }
    this.hooks.onDiscard?.('sampled', chunk.events.length - kept.length);
    const bytes = Math.round((chunk.bytes * kept.length) / chunk.events.length);
    return { events: kept, bytes, shared: chunk.shared };
  }
}
