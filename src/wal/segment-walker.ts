import { SEGMENT_HEADER_SIZE } from './record';
import { SegmentReader, type CorruptRegion, type ReadRecord } from './segment-reader';
import type { SegmentFile } from './segments';

/** How a {@link SegmentWalker} reports damage. */
export interface WalkerReports {
  corrupt(file: SegmentFile, region: CorruptRegion): void;
}

/**
 * Reads records across the segment files of a log, from a position onward: to the end of
 * each file, then into the next. A file gone from under it is passed over (the reader
 * above sees the gap in sequence numbers); a read error counts as damage to the rest of
 * that file. Positions only move forward, so nothing is read (or reported) twice.
 */
export class SegmentWalker {
  private at: { segment: number; offset: number } | undefined;
  private current: { file: SegmentFile; reader: SegmentReader } | undefined;

  constructor(
    /** The log's segment list, oldest first (shared: the log adds and removes files). */
    private readonly segments: readonly SegmentFile[],
    private readonly reports: WalkerReports,
    /** Writes queued records: called once before concluding the newest segment has no more. */
    private readonly flush: () => void,
  ) {}

  /** True while positioned on disk (there may be more to read). */
  get active(): boolean {
    return this.at !== undefined;
  }

  /** Reads from record offset `offset` of segment `segment` next. */
  moveTo(segment: number, offset = SEGMENT_HEADER_SIZE): void {
    this.at = { segment, offset };
  }

  /** Stops reading the disk until the next {@link moveTo}. */
  stop(): void {
    this.at = undefined;
  }

  /** The next intact record, or undefined (and inactive) at the end of the newest segment. */
  read(): ReadRecord | undefined {
    let flushed = false;
    for (let at = this.at; at !== undefined; at = this.at) {
      const reader = this.open(at.segment, at.offset);
      const record = reader && this.readOne(reader, at.offset);
      if (record !== undefined && reader !== undefined) {
        at.offset = reader.position;
        return record;
      }
      const following = this.segments.find((file) => file.firstSeq > at.segment);
      if (following === undefined && !flushed) {
        flushed = true; // records still queued in memory belong at the end of this file
        this.flush();
        continue;
      }
      this.at = following && { segment: following.firstSeq, offset: SEGMENT_HEADER_SIZE };
    }
    return undefined;
  }

  /** Stops reading `file` (it is being deleted). */
  forget(file: SegmentFile): void {
    if (this.current?.file.firstSeq === file.firstSeq) this.close();
  }

  close(): void {
    this.current?.reader.close();
    this.current = undefined;
  }

  private readOne(reader: SegmentReader, offset: number): ReadRecord | undefined {
    try {
      return reader.next();
    } catch {
      if (this.current) this.reports.corrupt(this.current.file, { offset, length: 0 });
      this.close();
      return undefined;
    }
  }

  private open(firstSeq: number, offset: number): SegmentReader | undefined {
    if (this.current?.file.firstSeq !== firstSeq) {
      this.close();
      const file = this.segments.find((candidate) => candidate.firstSeq === firstSeq);
      if (file === undefined) return undefined;
      try {
        this.current = { file, reader: new SegmentReader(file.path, (region) => this.reports.corrupt(file, region)) };
      } catch {
        return undefined; // deleted under us: the next record read shows the gap
      }
    }
    const { reader } = this.current;
    if (offset > reader.position) reader.seek(offset);
    return reader;
  }
}
