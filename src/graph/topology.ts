import type { IssueCollector } from '../config/schema';
import type { GraphNode } from './validate';

/**
 * Orders components so each comes after its inputs (Kahn's algorithm); reports each cycle
 * with exactly the names on it. `ownerOf` names the component an input reads (`r.errors` →
 * `r`); unknown inputs are reported elsewhere and ignored here.
 */
export function topologicalOrder(
  nodes: ReadonlyMap<string, GraphNode>,
  issues: IssueCollector,
  ownerOf: (input: string) => string | undefined = (input) => (nodes.has(input) ? input : undefined),
): string[] | undefined {
  const pending = new Map<string, number>();
  const readers = new Map<string, string[]>();
  for (const node of nodes.values()) {
    // A component reading two outputs of one route waits for it once.
    const known = [...new Set(node.inputs.map(ownerOf).filter((id): id is string => id !== undefined))];
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
  // What Kahn's algorithm leaves holds the cycles and everything downstream of them: report
  // only the components on each cycle, in the direction events flow.
  const left = new Set([...pending].filter(([, count]) => count > 0).map(([id]) => id));
  for (const cycle of cyclesAmong(left, nodes, ownerOf)) {
    const first = nodes.get(cycle[0]);
    issues.add(first ? [...first.path, 'inputs'] : [], `the graph has a cycle: ${[...cycle, cycle[0]].join(' → ')} (a component cannot read its own output, even through others)`);
  }
  return undefined;
}

/**
 * The cycles among `ids` (a set in which every component has an input inside the set, so
 * walking inputs from any of them must close a loop): one cycle per loop found, each listed
 * from the input to its reader, never a component that only hangs below a cycle.
 */
function cyclesAmong(ids: ReadonlySet<string>, nodes: ReadonlyMap<string, GraphNode>, ownerOf: (input: string) => string | undefined): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  for (const start of ids) {
    if (done.has(start)) continue;
    // Walk upstream through inputs inside the set until a component repeats.
    const walk: string[] = [];
    const seenAt = new Map<string, number>();
    let current: string | undefined = start;
    while (current !== undefined && !seenAt.has(current) && !done.has(current)) {
      seenAt.set(current, walk.length);
      walk.push(current);
      current = nodes
        .get(current)
        ?.inputs.map(ownerOf)
        .find((id) => id !== undefined && ids.has(id));
    }
    if (current !== undefined && seenAt.has(current)) cycles.push(fromFirstDeclared(walk.slice(seenAt.get(current)).reverse(), nodes));
    for (const id of walk) done.add(id);
  }
  return cycles;
}

/** The same loop, started at the component declared first, so a report reads like the file. */
function fromFirstDeclared(cycle: string[], nodes: ReadonlyMap<string, GraphNode>): string[] {
  const declared = [...nodes.keys()];
  let start = 0;
  cycle.forEach((id, index) => {
    if (declared.indexOf(id) < declared.indexOf(cycle[start])) start = index;
  });
  return [...cycle.slice(start), ...cycle.slice(0, start)];
}
