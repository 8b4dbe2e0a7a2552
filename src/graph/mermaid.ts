import type { ComponentKind } from '../components/context';
import type { ValidatedGraph } from './validate';

/**
 * Node shapes by kind, so a reader tells sources, transforms and sinks apart at a glance:
 * sources are stadiums (where data enters), transforms rectangles, sinks cylinders (where it rests).
 */
const SHAPE: Record<ComponentKind, readonly [string, string]> = {
  source: ['([', '])'],
  transform: ['[', ']'],
  sink: ['[(', ')]'],
};

/** Mermaid's flowchart keywords: a node id spelt like one breaks the whole diagram. */
const RESERVED = new Set(['end', 'graph', 'flowchart', 'subgraph', 'style', 'class', 'classdef', 'click', 'linkstyle', 'direction', 'default']);

/** Labels are quoted, so only characters Mermaid reads as markup need its entity codes. */
function escapeLabel(text: string): string {
  return text.replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;');
}

/**
 * Mermaid ids must be plain words, but component names may hold dots, dashes or spaces and
 * two names may sanitise alike; ids keep the name where they can (readable diagram source)
 * and fall back to a numbered id otherwise.
 */
function nodeIds(order: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  order.forEach((name, index) => {
    let id = name.replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z]/.test(id) || RESERVED.has(id.toLowerCase()) || taken.has(id)) id = `c${index}_${id}`;
    taken.add(id);
    ids.set(name, id);
  });
  return ids;
}

/**
 * Renders a validated graph as a Mermaid `flowchart LR`: one node per component labelled
 * `id [type]`, one edge per entry of each component's `inputs:`, labelled with the output
 * when it reads a named one (`route.errors` → `route -->|"errors"| reader`). This is what
 * `sluice graph` prints; paste it into any Markdown that renders Mermaid.
 *
 * @example
 * flowchart LR
 *   demo(["demo [generator]"])
 *   out[("out [console]")]
 *   demo --> out
 */
export function renderMermaid(graph: ValidatedGraph): string {
  const ids = nodeIds(graph.order);
  const lines = ['flowchart LR'];
  for (const name of graph.order) {
    const node = graph.nodes.get(name);
    if (!node) continue;
    const [open, close] = SHAPE[node.kind];
    lines.push(`  ${ids.get(name)}${open}"${escapeLabel(`${name} [${node.type}]`)}"${close}`);
  }
  for (const name of graph.order) {
    for (const input of graph.nodes.get(name)?.inputs ?? []) {
      const port = graph.ports.get(input);
      if (!port) continue;
      // A named output (a route's) labels its edge, so the picture says which events go where.
      const arrow = port.output === undefined ? '-->' : `-->|"${escapeLabel(port.output)}"|`;
      lines.push(`  ${ids.get(port.node)} ${arrow} ${ids.get(name)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
