import type { AckListener } from '../../core/ack';
import { SINGLE_KEY } from './format';
import { KeyedCheckpoint, type CheckpointOptions } from './keyed';

/**
 * A source's single durable position (a sequence): the {@link KeyedCheckpoint} with one key,
 * {@link SINGLE_KEY}, so there is one implementation of ranges, saving and the file format.
 * Ranges it emits are tracked as their acks settle, in any order; a rejected range is never
 * committed past: after a restart the source resumes there and reads it again (at least once).
 */
export class Checkpoint {
  private readonly keyed: KeyedCheckpoint;

  constructor(options: CheckpointOptions) {
    this.keyed = new KeyedCheckpoint(options);
  }

  get file(): string {
    return this.keyed.file;
  }

  /** Everything before this position was acknowledged. */
  get committed(): number {
    return this.keyed.committed(SINGLE_KEY) ?? 0;
  }

  /** Reads the saved position (a version-1 or version-2 file); undefined when none was saved yet. */
  async load(): Promise<number | undefined> {
    return (await this.keyed.load()).get(SINGLE_KEY);
  }

  /** Tracks `[start, end)` as emitted; returns the listener to hand its ack. Without a saved position the mark starts at 0. */
  track(start: number, end: number): AckListener {
    this.keyed.begin(SINGLE_KEY, 0);
    return this.keyed.track(SINGLE_KEY, start, end);
  }

  /** The source emits nothing more: save once every tracked range has settled. */
  finish(): void {
    this.keyed.finish();
  }

  /** Saves the committed position now (a no-op when already saved); never rejects, logs failures. */
  save(): Promise<void> {
    return this.keyed.flush();
  }
}
