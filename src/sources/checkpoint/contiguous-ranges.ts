/**
 * The committed high-water mark of ranges `[start, end)` resolved in any order: the end of
 * the longest contiguous prefix of resolved ranges. Ranges must not overlap. A range never
 * resolved (its ack was rejected) holds the mark at its start. Resolved ranges beyond a gap
 * merge with their neighbours, so memory grows with the number of gaps, not of ranges.
 */
export class ContiguousRanges {
  private readonly byStart = new Map<number, number>();
  private readonly byEnd = new Map<number, number>();

  constructor(private position = 0) {}

  /** Everything before this position is resolved. */
  get committed(): number {
    return this.position;
  }

  /** Separate resolved ranges waiting behind a gap. */
  get waiting(): number {
    return this.byStart.size;
  }

  /** Marks `[start, end)` resolved; says whether the committed position advanced. */
  resolve(start: number, end: number): boolean {
    if (end <= this.position) return false;
    let from = Math.max(start, this.position);
    let to = end;
    const before = this.byEnd.get(from);
    if (before !== undefined) {
      this.forget(before, from);
      from = before;
    }
    const after = this.byStart.get(to);
    if (after !== undefined) {
      this.forget(to, after);
      to = after;
    }
    if (from === this.position) {
      this.position = to;
      return true;
    }
    this.byStart.set(from, to);
    this.byEnd.set(to, from);
    return false;
  }

  private forget(start: number, end: number): void {
    this.byStart.delete(start);
    this.byEnd.delete(end);
  }
}
