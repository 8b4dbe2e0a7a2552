/** A member of a {@link LinkedSet}: what `add` returns and `remove` takes. */
export interface LinkedNode<T> {
  readonly value: T;
  /** The set it belongs to, until removed. */
  owner: LinkedSet<T> | undefined;
  prev: LinkedNode<T> | undefined;
  next: LinkedNode<T> | undefined;
}

/**
 * An insertion-ordered set with O(1) add and remove through the node `add` returns. For
 * the hot path's "what is still outstanding" bookkeeping (one add and one remove per batch):
 * a long-lived `Set` churned with short-lived objects cost more GC than the work it tracked
 * (measured: a `Set` of jobs in retry made generator → blackhole 2.5x slower).
 */
export class LinkedSet<T> {
  private head: LinkedNode<T> | undefined;
  private tail: LinkedNode<T> | undefined;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(value: T): LinkedNode<T> {
    const node: LinkedNode<T> = { value, owner: this, prev: this.tail, next: undefined };
    if (this.tail) this.tail.next = node;
    else this.head = node;
    this.tail = node;
    this.count += 1;
    return node;
  }

  /** Removes `node` (a no-op if it was removed already). */
  remove(node: LinkedNode<T>): void {
    if (node.owner !== this) return;
    node.owner = undefined;
    if (node.prev) node.prev.next = node.next;
    else this.head = node.next;
    if (node.next) node.next.prev = node.prev;
    else this.tail = node.prev;
    node.prev = node.next = undefined;
    this.count -= 1;
  }

  /** The values, oldest first (a snapshot: removing while iterating is safe). */
  values(): T[] {
    const out: T[] = [];
    for (let node = this.head; node; node = node.next) out.push(node.value);
    return out;
  }
}
