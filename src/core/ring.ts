/**
 * A growable ring buffer (double-ended queue): O(1) `push`, `shift` and `peek`, no
 * `Array.prototype.shift` copying. Capacity is a power of two and doubles when full; it
 * never shrinks below its peak, which the callers bound (buffer sizes, credit).
 *
 * @example
 * const ring = new Ring<number>();
 * ring.push(1); ring.push(2);
 * ring.shift(); // 1
 */
export class Ring<T> {
  private items: Array<T | undefined>;
  private head = 0;
  private count = 0;
  private mask: number;

  constructor(initialCapacity = 16) {
    let capacity = 1;
    while (capacity < initialCapacity) capacity *= 2;
    this.items = new Array<T | undefined>(capacity);
    this.mask = capacity - 1;
  }

  /** Items held. */
  get length(): number {
    return this.count;
  }

  /** Appends at the tail. */
  push(item: T): void {
    if (this.count === this.items.length) this.grow();
    this.items[(this.head + this.count) & this.mask] = item;
    this.count += 1;
  }

  /** Removes and returns the head (the oldest item), or undefined when empty. */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.count -= 1;
    return item;
  }

  /** The head without removing it. */
  peek(): T | undefined {
    return this.count === 0 ? undefined : this.items[this.head];
  }

  /** Replaces the head (trimming the oldest chunk in place). */
  replaceHead(item: T): void {
    if (this.count === 0) throw new RangeError('replaceHead on an empty ring');
    this.items[this.head] = item;
  }

  /** Removes every item and returns them, oldest first. */
  drain(): T[] {
    const out: T[] = [];
    for (let item = this.shift(); item !== undefined; item = this.shift()) out.push(item);
    return out;
  }

  private grow(): void {
    const old = this.items;
    const next = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = old[(this.head + i) & this.mask];
    this.items = next;
    this.head = 0;
    this.mask = next.length - 1;
  }
}
