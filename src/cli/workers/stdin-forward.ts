import type { Readable, Writable } from 'node:stream';
import type { Logger } from '../../observability/logger';
import { LineChunker } from './line-chunks';

/**
 * The primary's half of the stdin source under `workers: N`: reads its own stdin and hands
 * each chunk of whole lines to one worker's stdin pipe, taking turns, where the worker's
 * stdin source reads it as usual. Order across workers is not kept (each worker's lines
 * stay in order). Backpressure: a worker whose pipe is full is skipped; when every pipe is
 * full (or no worker is up) reading pauses until one drains, so a slow pipeline blocks the
 * producer, as a single process does. Lines written to a worker that then crashes are lost
 * with it (stdin cannot be replayed, single process or not).
 */
export class StdinForwarder {
  private readonly chunker = new LineChunker();
  private readonly targets = new Map<number, Writable>();
  private turn = 0;
  private ended = false;

  constructor(
    private readonly input: Readable,
    private readonly logger: Logger,
  ) {
    input.on('data', (data: Buffer) => {
      const chunk = this.chunker.push(data);
      if (chunk !== undefined) this.send(chunk);
    });
    input.once('end', () => this.finish());
    input.on('error', (error) => {
      logger.error({ err: error }, 'reading stdin failed; ending the workers\' input');
      this.finish();
    });
    input.pause();
  }

  /** Worker `slot` (new or restarted) takes turns from now on; after EOF its input ends at once. */
  attach(slot: number, stdin: Writable): void {
    // EPIPE when the worker dies: its 'exit' detaches it; the error itself says nothing more.
    stdin.on('error', (error) => this.logger.debug({ err: error, worker: slot }, 'worker stdin closed'));
    stdin.on('drain', () => this.flowIfRoom());
    if (this.ended) {
      stdin.end();
      return;
    }
    this.targets.set(slot, stdin);
    this.flowIfRoom();
  }

  detach(slot: number): void {
    this.targets.delete(slot);
    if (this.targets.size === 0) this.input.pause();
  }

  private send(chunk: Buffer): void {
    const targets = [...this.targets.values()];
    if (targets.length === 0) {
      // Cannot happen while paused; kept so a chunk is never dropped silently.
      this.logger.warn({ bytes: chunk.length }, 'stdin: no worker to take a chunk; dropped');
      return;
    }
    let target = targets[this.turn % targets.length];
    for (let step = 0; step < targets.length; step++) {
      const candidate = targets[(this.turn + step) % targets.length];
      if (!candidate.writableNeedDrain) {
        target = candidate;
        this.turn += step;
        break;
      }
    }
    this.turn += 1;
    target.write(chunk);
    if (targets.every((stdin) => stdin.writableNeedDrain)) this.input.pause();
  }

  private flowIfRoom(): void {
    if (this.ended || this.targets.size === 0) return;
    if ([...this.targets.values()].some((stdin) => !stdin.writableNeedDrain)) this.input.resume();
  }

  private finish(): void {
    if (this.ended) return;
    const rest = this.chunker.end();
    if (rest !== undefined && this.targets.size > 0) this.send(rest);
    this.ended = true;
    for (const stdin of this.targets.values()) stdin.end();
    this.targets.clear();
  }
}
