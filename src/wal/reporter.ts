import { join } from 'node:path';
import type { Logger } from '../observability/logger';
import type { CorruptRegion } from './segment-reader';
import type { SegmentFile } from './segments';

/** What a log reports; each call is one incident (a damaged region, a gap, a failed I/O). */
export interface WalHooks {
  onCorrupt?(count: number): void;
  onMissing?(count: number): void;
  onIoError?(error: Error): void;
}

/**
 * Counts (through the hooks) and logs what goes wrong in a log directory. Damage is
 * counted per region and logged once per file, so a badly damaged segment cannot flood
 * the log; gaps and I/O failures are rare and logged each time.
 */
export class WalReporter {
  private readonly logged = new Set<number | 'cursor'>();

  constructor(
    private readonly dir: string,
    private readonly hooks: WalHooks = {},
    private readonly logger?: Logger,
  ) {}

  corrupt(file: SegmentFile | 'cursor', region: CorruptRegion): void {
    this.hooks.onCorrupt?.(1);
    const key = file === 'cursor' ? file : file.firstSeq;
    if (this.logged.has(key)) return;
    this.logged.add(key);
    const path = file === 'cursor' ? join(this.dir, 'cursor') : file.path;
    this.logger?.warn({ path, offset: region.offset, bytes: region.length }, 'wal: damaged data skipped (logged once per file)');
  }

  missing(from: number, to: number): void {
    this.hooks.onMissing?.(1);
    this.logger?.warn({ dir: this.dir, from, to }, 'wal: records missing (a segment file is gone); skipped');
  }

  ioError(error: Error, operation: string): void {
    this.hooks.onIoError?.(error);
    this.logger?.error({ err: error, dir: this.dir, operation }, 'wal: I/O failed');
  }
}
