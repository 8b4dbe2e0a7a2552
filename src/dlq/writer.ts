import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import { listSegments, readCursor, segmentName, syncDir } from './segments';

interface ActiveSegment {
  readonly id: number;
  readonly path: string;
  size: number;
}

/**
 * Appends encoded lines to a queue's segments, rolling to a new segment at `segmentBytes`.
 * Each writer starts a fresh segment (after every existing one and the consumed cursor) and
 * seals it after a failed write, so a torn line is never appended to. Not reentrant: the
 * store serializes calls.
 */
export class SegmentWriter {
  private active: ActiveSegment | undefined;
  private lastId = 0;

  constructor(
    private readonly dir: string,
    private readonly segmentBytes: number,
  ) {}

  /** The segment being written, if any. */
  get activeId(): number | undefined {
    return this.active?.id;
  }

  /** Forgets the active segment (it was deleted): the next write starts a new one. */
  reset(): void {
    this.active = undefined;
  }

  /** Appends `lines` durably: every touched segment is fsynced before this resolves. */
  async write(lines: readonly Buffer[]): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    let run: Buffer[] = [];
    let runBytes = 0;
    for (const line of lines) {
      const segment = this.active ?? (await this.roll());
      if (segment.size + runBytes > 0 && segment.size + runBytes + line.length > this.segmentBytes) {
        if (run.length > 0) await this.flush(segment, Buffer.concat(run));
        [run, runBytes] = [[], 0];
        if (segment.size > 0) await this.roll();
      }
      run.push(line);
      runBytes += line.length;
    }
    if (run.length > 0) await this.flush(this.active ?? (await this.roll()), Buffer.concat(run));
  }

  /** Appends `data` to a segment and fsyncs it; a failed write seals the segment (its tail may be torn). */
  private async flush(segment: ActiveSegment, data: Buffer): Promise<void> {
    try {
      const handle = await open(segment.path, 'a');
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (segment.size === 0) await syncDir(this.dir);
      segment.size += data.length;
    } catch (error) {
      this.active = undefined;
      throw error;
    }
  }

  private async roll(): Promise<ActiveSegment> {
    const existing = await listSegments(this.dir);
    const cursor = await readCursor(this.dir);
    const id = Math.max(this.lastId, existing.at(-1)?.id ?? 0, cursor.segment) + 1;
    this.lastId = id;
    this.active = { id, path: join(this.dir, segmentName(id)), size: 0 };
    return this.active;
  }
}
