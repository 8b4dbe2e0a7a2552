import type { DlqIo } from './io';

const BAR_WIDTH = 30;
/** A terminal bar is redrawn at most this often; plain progress lines are printed at most every second. */
const REDRAW_MS = 100;
const LINE_MS = 1000;

/**
 * Replay progress on stderr: on a terminal a bar redrawn in place
 * (`\r[#####     ] 512/1000`), otherwise a plain line now and then, so logs stay readable.
 */
export class Progress {
  private last = Number.NEGATIVE_INFINITY;
  private drawn = false;

  constructor(
    private readonly io: DlqIo,
    private readonly total: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Reports `done` and `failed` events so far, if enough time passed since the last report. */
  update(done: number, failed: number): void {
    const now = this.now();
    if (now - this.last < (this.io.interactive ? REDRAW_MS : LINE_MS)) return;
    this.last = now;
    this.draw(done, failed);
  }

  /** Draws the final state and ends the bar's line. */
  finish(done: number, failed: number): void {
    if (this.io.interactive) {
      this.draw(done, failed);
      if (this.drawn) this.io.stderr('\n');
    }
  }

  private draw(done: number, failed: number): void {
    const settled = done + failed;
    const suffix = `${settled}/${this.total}${failed > 0 ? ` (${failed} failed)` : ''}`;
    if (!this.io.interactive) {
      this.io.stderr(`replaying: ${suffix}\n`);
      return;
    }
    const filled = Math.min(BAR_WIDTH, Math.round((settled / Math.max(1, this.total)) * BAR_WIDTH));
    this.io.stderr(`\r[${'#'.repeat(filled)}${' '.repeat(BAR_WIDTH - filled)}] ${suffix}`);
    this.drawn = true;
  }
}
