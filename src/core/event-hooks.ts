import type { LogEvent } from './event';

/** Hooks through which a per-event stage reports what it did (the stage kit wires metrics). */
export interface EventHooks {
  /** A callback threw on `event`; the event was kept as it was. */
  onError?(error: unknown, event: LogEvent): void;
  /** `count` events were removed on purpose. */
  onDiscard?(count: number): void;
}
