import { IssueCollector, object, type ConfigPath, type Option, type SchemaIssue } from '../config/schema';
import { checkSinkBlocks, type SinkBlocks } from '../components/sink-blocks';
import type { ComponentKind } from '../components/context';
import { checkFanOut, commonShape, fullShape, type FanOutConfig } from '../components/shapes';
import type { ComponentDefinition, TransformDefinition } from '../components/define';
import type { ComponentRegistry } from '../components/registry';
import { misreadOutput, portsOf, unknownInput, type Port } from './ports';
import { settingsSchema, type PipelineSettingsConfig } from './settings';
import { topologicalOrder } from './topology';
import { creditWarnings } from './warnings';
import { workerWarnings } from './worker-warnings';

export type { Port } from './ports';

/** Keys that hold TypeScript-only custom components instead of a `type:`. */
const CUSTOM_KEY: Record<ComponentKind, string> = { source: 'source', transform: 'operator', sink: 'sink' };
const SECTION: Record<ComponentKind, string> = { source: 'sources', transform: 'transforms', sink: 'sinks' };

/** One validated component of the graph. */
export interface GraphNode {
  readonly id: string;
  readonly kind: ComponentKind;
  /** The registered type, or `custom` for a TypeScript-only component. */
  readonly type: string;
  readonly inputs: readonly string[];
  /** Validated options with defaults applied. */
  readonly config: Record<string, unknown>;
  readonly definition?: ComponentDefinition;
  /** The function a custom component supplied (source factory, operator, sink). */
  readonly custom?: unknown;
  readonly path: ConfigPath;
  /**
   * The named outputs of a transform that declares them (a `route`): readers name one as
   * `id.output`, never the bare id. Undefined for a component with one unnamed output.
   */
  readonly outputs?: readonly string[];
}

/** A graph that passed validation: ready to build. */
export interface ValidatedGraph {
  readonly settings: PipelineSettingsConfig;
  readonly nodes: ReadonlyMap<string, GraphNode>;
  /** Component ids, every one after all of its inputs. */
  readonly order: readonly string[];
  /**
   * Who reads each output, by the name `inputs:` spells it: a component id, or `id.output`
   * for each named output of a component that has them.
   */
  readonly consumers: ReadonlyMap<string, readonly string[]>;
  /** Every readable output by that name, and the component it belongs to. */
  readonly ports: ReadonlyMap<string, Port>;
  /**
   * What is valid but likely not what was meant (a sink batch its sources' credit can never
   * fill), each at its config path. Warnings never fail validation.
   */
  readonly warnings: readonly SchemaIssue[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function validateNode(
  kind: ComponentKind,
  id: string,
  raw: unknown,
  registry: ComponentRegistry,
  issues: IssueCollector,
): GraphNode | undefined {
  const path = [SECTION[kind], id];
  if (!isRecord(raw)) {
    issues.add(path, `expected a map with "type:", got ${Array.isArray(raw) ? 'a list' : typeof raw}`);
    return undefined;
  }
  let inputs: string[] = [];
  if (kind !== 'source') {
    const rawInputs = raw.inputs;
    if (!Array.isArray(rawInputs) || rawInputs.length === 0 || !rawInputs.every((i) => typeof i === 'string')) {
      issues.add([...path, 'inputs'], `${kind} "${id}" needs "inputs:", a non-empty list of component names`);
    } else {
      inputs = rawInputs as string[];
      const repeated = inputs.find((input, index) => inputs.indexOf(input) !== index);
      if (repeated) issues.add([...path, 'inputs'], `"${repeated}" is listed twice in inputs; each input is read once`);
    }
  } else if (raw.inputs !== undefined) {
    issues.add([...path, 'inputs'], `source "${id}" cannot have inputs`);
  }
  const customKey = CUSTOM_KEY[kind];
  const custom = raw[customKey];
  if (typeof custom === 'function' || (kind === 'sink' && isRecord(custom))) {
    const config = parseOptions(object(commonShape(kind), { description: '', reserved: ['inputs', customKey] }), raw, path, issues, kind);
    return { id, kind, type: 'custom', inputs, config, custom, path };
  }
  const type = raw.type;
  if (typeof type !== 'string') {
    issues.add([...path, 'type'], `missing "type:"; known ${kind} types: ${registry.types(kind).join(', ')}`);
    return undefined;
  }
  const definition = registry.get(kind, type);
  if (!definition) {
    issues.add([...path, 'type'], `unknown ${kind} type "${type}"; known ${kind} types: ${registry.types(kind).join(', ')}`);
    return undefined;
  }
  const before = issues.issues.length;
  const config = parseOptions(object(fullShape(definition), { description: '', reserved: ['type', 'inputs'] }), raw, path, issues, kind, definition);
  const named = kind === 'transform' ? (definition as TransformDefinition).outputs : undefined;
  if (!named) return { id, kind, type, inputs, config, definition, path };
  // Its outputs come from its options: with those invalid (already reported) it has none
  // known, and its readers are not checked against them.
  const outputs = issues.issues.length > before ? [] : named.names(config);
  return { id, kind, type, inputs, config, definition, path, outputs };
}

/** Parses a component's options, then the cross-option checks once the types are right. */
function parseOptions(
  schema: Option<Record<string, unknown>, unknown>,
  raw: Record<string, unknown>,
  path: ConfigPath,
  issues: IssueCollector,
  kind: ComponentKind,
  definition?: ComponentDefinition,
): Record<string, unknown> {
  const before = issues.issues.length;
  const config = schema.parse(raw, path, issues) ?? {};
  if (issues.issues.length > before) return config;
  const found: SchemaIssue[] = (definition?.check?.(config as never) ?? []).map((issue) => ({ ...issue, path: [...path, ...issue.path] }));
  if (kind === 'sink') found.push(...checkSinkBlocks(config as SinkBlocks, path));
  else found.push(...checkFanOut(config as { fan_out?: FanOutConfig }).map((issue) => ({ ...issue, path: [...path, ...issue.path] })));
  for (const issue of found) issues.add(issue.path, issue.message);
  return config;
}

/**
 * Checks a whole pipeline before anything starts: unknown component types and options,
 * option types and limits, missing or unknown inputs, duplicate names, cycles, sinks
 * nobody feeds. Every issue carries its config path, so the YAML loader can name the line.
 * A graph that passes carries its warnings (see {@link creditWarnings}).
 */
export function validateGraph(raw: unknown, registry: ComponentRegistry): { graph?: ValidatedGraph; issues: SchemaIssue[] } {
  const issues = new IssueCollector();
  if (!isRecord(raw)) {
    issues.add([], 'a pipeline is a map with sources:, transforms: and sinks:');
    return { issues: issues.issues };
  }
  const settings = settingsSchema.parse(raw, [], issues);
  const nodes = new Map<string, GraphNode>();
  // Every declared name and its kind, valid or not: inputs naming an invalid component are
  // not reported again as unknown, and did-you-mean offers only what an input can read.
  const declared = new Map<string, ComponentKind>();
  for (const kind of ['source', 'transform', 'sink'] as const) {
    const section = raw[SECTION[kind]];
    if (section === undefined || section === null) {
      if (kind !== 'transform') issues.add([SECTION[kind]], `a pipeline needs at least one ${kind}`);
      continue;
    }
    if (!isRecord(section)) {
      issues.add([SECTION[kind]], `expected a map of ${kind} names to ${kind}s`);
      continue;
    }
    for (const [id, spec] of Object.entries(section)) {
      if (nodes.has(id)) issues.add([SECTION[kind], id], `the name "${id}" is already used by ${nodes.get(id)?.kind} "${id}"; names must be unique`);
      if (!declared.has(id)) declared.set(id, kind);
      const node = validateNode(kind, id, spec, registry, issues);
      if (node && !nodes.has(id)) nodes.set(id, node);
    }
  }
  const ports = portsOf(nodes);
  const consumers = new Map<string, string[]>([...ports.keys()].map((name) => [name, []]));
  for (const node of nodes.values()) {
    node.inputs.forEach((input, index) => {
      const at = [...node.path, 'inputs', index];
      if (ports.has(input)) return consumers.get(input)?.push(node.id);
      if (nodes.get(input)?.kind === 'sink') return issues.add(at, `"${input}" is a sink; sinks have no output to read`);
      if (nodes.get(input.slice(0, Math.max(0, input.lastIndexOf('.'))))?.outputs?.length === 0) return;
      const misread = misreadOutput(input, nodes);
      if (misread) return issues.add(at, misread);
      // A component declared but invalid (already reported), or an output of one.
      if (declared.has(input) || declared.has(input.slice(0, Math.max(0, input.lastIndexOf('.'))))) return;
      issues.add(at, unknownInput(input, node.id, declared, nodes));
    });
  }
  for (const node of nodes.values()) {
    if (node.kind === 'sink' || node.outputs?.length === 0) continue;
    const read = node.outputs ? node.outputs.some((output) => (consumers.get(`${node.id}.${output}`)?.length ?? 0) > 0) : (consumers.get(node.id)?.length ?? 0) > 0;
    if (!read) issues.add(node.path, `${node.kind} "${node.id}" feeds nothing: name ${node.outputs ? `one of its outputs (${node.outputs.map((o) => `${node.id}.${o}`).join(', ')})` : 'it'} in some component's inputs`);
  }
  const ownerOf = (input: string): string | undefined => ports.get(input)?.node;
  const order = topologicalOrder(nodes, issues, ownerOf);
  if (issues.issues.length > 0 || !settings || !order) return { issues: issues.issues };
  return { graph: { settings, nodes, order, consumers, ports, warnings: [...creditWarnings(nodes, order, ownerOf), ...workerWarnings(settings.workers, nodes)] }, issues: [] };
}

