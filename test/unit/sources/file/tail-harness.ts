import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Subscription } from 'rxjs';
import type { Batch } from '../../../../src/core/batch';
import { eventMeta } from '../../../../src/core/event';
import { HealthBoard } from '../../../../src/core/health';
import { fileSource } from '../../../../src/sources/file/source';
import { until } from '../../../helpers/async';
import { parseConfig, testSourceContext, type TestSourceContext } from '../../../helpers/context';

/** One event as a test sees it: its message and the metadata beside it. */
export interface TailedLine {
  readonly message: string;
  readonly path: string | undefined;
  readonly offset: number | undefined;
  readonly inode: number | undefined;
  readonly event: Record<string, unknown>;
}

/** A fresh temporary directory for a test's files. */
export const tmpDir = (): string => mkdtempSync(join(tmpdir(), 'sluice-file-'));

/** Fast timings, so rotation and timeout cases settle within a second. */
export const FAST = { scan_interval: 50, eof_timeout: 300, checkpoint_interval: 20 };

/**
 * Runs the real `file` source (config through the real parser) with a test context and
 * collects what it emits. Batches are acknowledged at once unless `ack: false`, in which case
 * the test settles `batches[i].ack` itself.
 */
export class Tail {
  private static readonly live = new Set<Tail>();
  readonly ctx: TestSourceContext;
  readonly lines: TailedLine[] = [];
  readonly batches: Batch[] = [];
  private readonly subscription: Subscription;
  private completed = false;
  private readonly board = new HealthBoard();

  constructor(
    config: Record<string, unknown>,
    options: { dataDir?: string; ack?: boolean; maxEvents?: number } = {},
  ) {
    Tail.live.add(this);
    const health = this.board.register('test');
    this.ctx = testSourceContext({ maxEvents: options.maxEvents }, options.dataDir === undefined ? { health } : { dataDir: options.dataDir, health });
    const source = fileSource.create(parseConfig(fileSource, { ...FAST, ...config }), this.ctx);
    const ack = options.ack !== false;
    this.subscription = source.subscribe({
      next: (batch) => {
        this.batches.push(batch);
        for (const event of batch.events) {
          const meta = eventMeta(event);
          this.lines.push({ message: event.message as string, path: meta?.path, offset: meta?.offset as number | undefined, inode: meta?.inode as number | undefined, event: event as Record<string, unknown> });
        }
        if (ack) batch.ack.resolve();
      },
      complete: () => (this.completed = true),
    });
  }

  /** Waits until the source is ready: its checkpoint read and its first scan done. */
  async ready(): Promise<void> {
    await until(() => this.board.get('test')?.state === 'ready', 20_000);
  }

  get dataDir(): string {
    return this.ctx.dataDir;
  }

  messages(): string[] {
    return this.lines.map((line) => line.message);
  }

  /** Waits until at least `count` events arrived. */
  async waitFor(count: number, timeoutMs = 20_000): Promise<string[]> {
    await until(() => this.lines.length >= count, timeoutMs).catch((error: Error) => {
      throw new Error(`${error.message}: got ${this.lines.length} of ${count}: ${JSON.stringify(this.messages().slice(-5))}`);
    });
    return this.messages();
  }

  /** Stops as the runtime does and waits for completion (the checkpoint is then saved). */
  async stop(): Promise<void> {
    if (!Tail.live.has(this)) return; // already unsubscribed
    this.ctx.stop();
    await until(() => this.completed, 20_000);
    Tail.live.delete(this);
    // The final save is asynchronous: wait until the file exists and has stopped changing.
    const file = join(this.ctx.dataDir, 'checkpoint.json');
    let last = '';
    for (let i = 0; i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const now = existsSync(file) ? readFileSync(file, 'utf8') : '';
      if (now !== '' && now === last) return;
      last = now;
    }
  }

  unsubscribe(): void {
    this.subscription.unsubscribe();
    Tail.live.delete(this);
  }

  /** Unsubscribes every tail still running (an afterEach, so a failed test leaves no timers behind). */
  static closeAll(): void {
    for (const tail of Tail.live) tail.unsubscribe();
  }
}

/** The positions saved in a data directory's checkpoint. */
export function savedPositions(dataDir: string): Record<string, number> {
  return (JSON.parse(readFileSync(join(dataDir, 'checkpoint.json'), 'utf8')) as { positions: Record<string, number> }).positions;
}

/** Lines `prefix-from` .. `prefix-(to-1)`, newline-terminated, as one string. */
export function numbered(prefix: string, from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) text += `${prefix}-${i}\n`;
  return text;
}

/** The expected messages for {@link numbered}. */
export function numberedLines(prefix: string, from: number, to: number): string[] {
  return numbered(prefix, from, to).trimEnd().split('\n');
}

/** Sleeps real time (fs timing cases). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
