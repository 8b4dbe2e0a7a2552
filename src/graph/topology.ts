import type { IssueCollector } from '../config/schema';
import type { GraphNode } from './validate';

/**
 * Orders components so each comes after its inputs (Kahn's algorithm); reports a cycle
 * with the names on it. Unknown inputs are reported elsewhere and ignored here.
 */
export function topologicalOrder(nodes: ReadonlyMap<string, GraphNode>, issues: IssueCollector): string[] | undefined {
  const pending = new Map<string, number>();
  const readers = new Map<string, string[]>();
  for (const node of nodes.values()) {
    const known = node.inputs.filter((input) => nodes.has(input));
    pending.set(node.id, known.length);
    for (const input of known) readers.set(input, [...(readers.get(input) ?? []), node.id]);
  }
  const ready = [...pending].filter(([, count]) => count === 0).map(([id]) => id);
  const order: string[] = [];
  while (ready.length > 0) {
    const id = ready.shift() as string;
    order.push(id);
    for (const reader of readers.get(id) ?? []) {
      const left = (pending.get(reader) ?? 0) - 1;
      pending.set(reader, left);
      if (left === 0) ready.push(reader);
    }
  }
  if (order.length === nodes.size) return order;
  const cyclic = [...pending].filter(([, count]) => count > 0).map(([id]) => id);
  const first = nodes.get(cyclic[0]);
  issues.add(first ? [...first.path, 'inputs'] : [], `the graph has a cycle through: ${cyclic.join(' → ')}`);
  return undefined;
}
