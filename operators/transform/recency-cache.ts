interface Entry {
  readonly key: string;
  seenAt: number;
  newer: Entry | undefined;
  older: Entry | undefined;
}

/**
 * Keys with the time each was last seen, least recently seen first, bounded in size: a Map
 * for lookup plus a doubly linked list for order, so touching, expiring and evicting are all
 * O(1). (A bare Map re-inserted on each sighting is not: V8 leaves deleted slots at the front
 * of its table, and finding the oldest key again walks over them, which made dedupe quadratic.)
 */
export class RecencyCache {
  private readonly entries = new Map<string, Entry>();
  private oldest: Entry | undefined;
  private newest: Entry | undefined;

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** Records a sighting of `key` at `now`; returns when it was seen before, or undefined. */
  touch(key: string, now: number): number | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined) {
      const previous = entry.seenAt;
      entry.seenAt = now;
      this.unlink(entry);
      this.append(entry);
      return previous;
    }
    const added: Entry = { key, seenAt: now, newer: undefined, older: undefined };
    this.entries.set(key, added);
    this.append(added);
    if (this.entries.size > this.capacity && this.oldest !== undefined) this.forget(this.oldest);
    return undefined;
  }

  /** Forgets every key last seen at or before `cutoff`. */
  expire(cutoff: number): void {
    while (this.oldest !== undefined && this.oldest.seenAt <= cutoff) this.forget(this.oldest);
  }

  private forget(entry: Entry): void {
    this.unlink(entry);
    this.entries.delete(entry.key);
  }

  private append(entry: Entry): void {
    entry.older = this.newest;
    entry.newer = undefined;
    if (this.newest !== undefined) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
  }

  private unlink(entry: Entry): void {
    if (entry.older !== undefined) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    if (entry.newer !== undefined) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.newer = entry.older = undefined;
  }
}
