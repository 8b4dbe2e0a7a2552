import { closestName } from '../config/schema';
import type { ComponentKind } from '../components/context';
import type { GraphNode } from './validate';

/** What an entry of `inputs:` reads: a component's output, or one of its named outputs. */
export interface Port {
  readonly node: string;
  readonly output?: string;
}

/** Every output of every component by the name `inputs:` spells it: `id`, or `id.output` for named outputs. */
export function portsOf(nodes: ReadonlyMap<string, GraphNode>): Map<string, Port> {
  const ports = new Map<string, Port>();
  for (const node of nodes.values()) {
    if (node.kind === 'sink') continue;
    if (node.outputs === undefined) ports.set(node.id, { node: node.id });
    else for (const output of node.outputs) ports.set(`${node.id}.${output}`, { node: node.id, output });
  }
  return ports;
}

/**
 * Why `input` reads nothing, when it names a component with named outputs: the bare id of
 * one (which output?), or an output it does not have (did you mean?). Undefined otherwise.
 */
export function misreadOutput(input: string, nodes: ReadonlyMap<string, GraphNode>): string | undefined {
  const whole = nodes.get(input);
  if (whole?.outputs) return `${whole.type} "${input}" has named outputs; read one of them: ${whole.outputs.map((o) => `${input}.${o}`).join(', ')}`;
  const dot = input.lastIndexOf('.');
  const owner = dot > 0 ? nodes.get(input.slice(0, dot)) : undefined;
  if (!owner || owner.kind === 'sink') return undefined;
  const output = input.slice(dot + 1);
  if (!owner.outputs) return `${owner.kind} "${owner.id}" has no named outputs (it has no "${output}"); read it as "${owner.id}"`;
  const hint = closestName(output, owner.outputs);
  return `unknown output "${output}" of ${owner.type} "${owner.id}"${hint ? ` (did you mean "${owner.id}.${hint}"?)` : ''}; its outputs: ${owner.outputs.map((o) => `${owner.id}.${o}`).join(', ')}`;
}

/** An input naming nothing: the closest readable name, and every name an input may read (sources and transforms, never sinks). */
export function unknownInput(input: string, reader: string, declared: ReadonlyMap<string, ComponentKind>, nodes: ReadonlyMap<string, GraphNode>): string {
  const readable = [...declared]
    .filter(([id, kind]) => kind !== 'sink' && id !== reader)
    .flatMap(([id]) => nodes.get(id)?.outputs?.map((output) => `${id}.${output}`) ?? [id]);
  const hint = closestName(input, readable);
  const known = readable.length > 0 ? `; inputs can name sources and transforms: ${readable.join(', ')}` : '; there are no sources or transforms to read';
  return `unknown input "${input}"${hint ? ` (did you mean "${hint}"?)` : ''}${known}`;
}
