import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { isSegmentHeader, readRecordHeader, RECORD_HEADER_SIZE, RECORD_MAGIC, recordIntact, SEGMENT_HEADER_SIZE } from './record';

/** One intact record read back from a segment. */
export interface ReadRecord {
  readonly seq: number;
  /** A view of the payload; valid until the caller drops it. */
  readonly payload: Buffer;
  /** Where the record starts in its segment. */
  readonly offset: number;
  /** Bytes it takes on disk, header included. */
  readonly size: number;
}

/** A stretch of a segment that held no intact record (a torn tail, a bad CRC, garbage). */
export interface CorruptRegion {
  readonly offset: number;
  readonly length: number;
}

const CHUNK = 1024 * 1024;

/**
 * Reads the records of one segment file in order through a 1 MiB read window. A record
 * whose marker, length or CRC is wrong is skipped: the reader scans forward to the next
 * record marker and reports the bytes it passed as one {@link CorruptRegion}. Every step
 * moves forward, so a damaged file ends the scan, never loops. Reading past the end
 * re-checks the file size, so a segment still being appended can be read as it grows.
 */
export class SegmentReader {
  private readonly fd: number;
  private fileSize: number;
  private window = Buffer.alloc(0);
  private windowStart = 0;
  private next_ = SEGMENT_HEADER_SIZE;

  constructor(
    readonly path: string,
    private readonly onCorrupt: (region: CorruptRegion) => void,
  ) {
    this.fd = openSync(path, 'r');
    this.fileSize = fstatSync(this.fd).size;
    const header = this.view(0, SEGMENT_HEADER_SIZE);
    if (header === undefined || !isSegmentHeader(header)) this.skipFrom(0);
  }

  /** Offset of the next record to read. */
  get position(): number {
    return this.next_;
  }

  /** Reads from `offset` next (a known record start). */
  seek(offset: number): void {
    this.next_ = Math.max(offset, SEGMENT_HEADER_SIZE);
    this.window = Buffer.alloc(0);
  }

  /** The next intact record, or undefined at the end of the file. */
  next(): ReadRecord | undefined {
    while (this.next_ < this.fileSize || this.next_ < this.refreshSize()) {
      const offset = this.next_;
      const head = this.view(offset, RECORD_HEADER_SIZE);
      const header = head && readRecordHeader(head, 0);
      if (header) {
        const size = RECORD_HEADER_SIZE + header.length;
        const whole = this.view(offset, size);
        const payload = whole?.subarray(RECORD_HEADER_SIZE);
        if (whole && payload && recordIntact(whole, 0, header, payload)) {
          this.next_ = offset + size;
          return { seq: header.seq, payload, offset, size };
        }
      }
      this.skipFrom(offset);
    }
    return undefined;
  }

  close(): void {
    closeSync(this.fd);
  }

  private refreshSize(): number {
    return (this.fileSize = fstatSync(this.fd).size);
  }

  /** Skips the bad bytes at `offset`: up to the next record marker, or to the end. */
  private skipFrom(offset: number): void {
    const resume = this.findMarker(offset + 1) ?? this.fileSize;
    if (resume > offset) this.onCorrupt({ offset, length: resume - offset });
    this.next_ = resume;
  }

  private findMarker(from: number): number | undefined {
    let at = from;
    while (at + RECORD_MAGIC.length <= this.fileSize) {
      const chunk = this.view(at, Math.min(CHUNK, this.fileSize - at));
      if (chunk === undefined) return undefined;
      const found = chunk.indexOf(RECORD_MAGIC);
      if (found >= 0) return at + found;
      at += chunk.length - (RECORD_MAGIC.length - 1);
    }
    return undefined;
  }

  /** Bytes `[offset, offset + length)` of the file, or undefined when it is shorter. */
  private view(offset: number, length: number): Buffer | undefined {
    const start = offset - this.windowStart;
    if (start >= 0 && start + length <= this.window.length) return this.window.subarray(start, start + length);
    if (offset + length > this.fileSize) return undefined;
    const want = Math.min(Math.max(length, CHUNK), this.fileSize - offset);
    const buffer = Buffer.allocUnsafe(want);
    let filled = 0;
    while (filled < want) {
      const read = readSync(this.fd, buffer, filled, want - filled, offset + filled);
      if (read === 0) break;
      filled += read;
    }
    this.window = buffer.subarray(0, filled);
    this.windowStart = offset;
    return filled >= length ? this.window.subarray(0, length) : undefined;
  }
}
