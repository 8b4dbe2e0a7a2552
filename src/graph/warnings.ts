import type { SchemaIssue } from '../config/schema';
import { formatBytes } from '../config/units';
import type { GraphNode } from './validate';

/**
 * Transform types that acknowledge upstream once they own events (DESIGN §1: a buffer is an
 * ack boundary). Downstream of one, the sources' credit no longer bounds what can arrive, so
 * the walk below stops there rather than warn about a bound that does not apply.
 */
const ACK_BOUNDARY_TRANSFORMS: ReadonlySet<string> = new Set(['buffer']);

/** A buffer, or an `aggregate` that acknowledges its inputs on consumption (its summaries are new events). */
function isAckBoundary(node: GraphNode): boolean {
  return ACK_BOUNDARY_TRANSFORMS.has(node.type) || (node.type === 'aggregate' && node.config.acknowledge !== 'on_summary');
}

/**
 * The most events and bytes that can be in flight at a component, by what the sources
 * upstream of it allow: `paths` counts, per source, how many routes reach here (a diamond
 * delivers each event twice). `undefined` when an ack boundary lies upstream: no bound.
 */
interface Credit {
  readonly events: number;
  readonly bytes: number;
  readonly paths: ReadonlyMap<string, number>;
}

const EMPTY: Credit = { events: 0, bytes: 0, paths: new Map() };

function sum(parts: ReadonlyArray<Credit | undefined>): Credit | undefined {
  let total = EMPTY;
  for (const part of parts) {
    if (!part) return undefined;
    const paths = new Map(total.paths);
    for (const [id, count] of part.paths) paths.set(id, (paths.get(id) ?? 0) + count);
    total = { events: total.events + part.events, bytes: total.bytes + part.bytes, paths };
  }
  return total;
}

function sourceCredit(node: GraphNode): Credit | undefined {
  const events = node.config.max_in_flight_events;
  const bytes = node.config.max_in_flight_bytes;
  if (typeof events !== 'number' || typeof bytes !== 'number') return undefined;
  return { events, bytes, paths: new Map([[node.id, 1]]) };
}

/** `raw: 1000, app: 2 × 500`: each source's own bound, and how many routes bring it here. */
function describeSources(credit: Credit, nodes: ReadonlyMap<string, GraphNode>, option: string, show: (n: number) => string): string {
  return [...credit.paths]
    .map(([id, count]) => {
      const bound = show(Number(nodes.get(id)?.config[option]));
      return `${id}: ${count > 1 ? `${count} × ${bound}` : bound}`;
    })
    .join(', ');
}

interface SinkBatch {
  readonly max_events: number;
  readonly max_bytes: number;
  readonly timeout: number;
}

function sinkWarnings(sink: GraphNode, credit: Credit, nodes: ReadonlyMap<string, GraphNode>): SchemaIssue[] {
  const batch = sink.config.batch as SinkBatch | undefined;
  if (!batch) return [];
  const waits = `so no batch ever fills: each goes out short, after up to batch.timeout (${batch.timeout}ms)`;
  const warnings: SchemaIssue[] = [];
  if (batch.max_events > credit.events) {
    warnings.push({
      path: [...sink.path, 'batch', 'max_events'],
      message:
        `${batch.max_events} events per batch, but the sources feeding this sink hold at most ${credit.events} in flight ` +
        `(max_in_flight_events of ${describeSources(credit, nodes, 'max_in_flight_events', String)}), ${waits}; ` +
        `lower batch.max_events or raise max_in_flight_events`,
    });
  }
  if (batch.max_bytes > credit.bytes) {
    warnings.push({
      path: [...sink.path, 'batch', 'max_bytes'],
      message:
        `${formatBytes(batch.max_bytes)} per batch, but the sources feeding this sink hold at most ${formatBytes(credit.bytes)} in flight ` +
        `(max_in_flight_bytes of ${describeSources(credit, nodes, 'max_in_flight_bytes', formatBytes)}), ${waits}; ` +
        `lower batch.max_bytes or raise max_in_flight_bytes`,
    });
  }
  return warnings;
}

/**
 * Sinks whose `batch.max_events` or `batch.max_bytes` exceeds the credit of every source
 * feeding them (summed over fan-in, through transforms): the sources pause before a batch can
 * fill, so every batch waits for its timeout. Only warnings: the pipeline still runs, slower.
 * A sink's own `buffer:` block does not stop the check: its `batch` stage sits in front of
 * the buffer, still bounded by the sources' credit. Custom operators are assumed to hold
 * acks like other transforms. `order` puts every component after its inputs.
 */
export function creditWarnings(
  nodes: ReadonlyMap<string, GraphNode>,
  order: readonly string[],
  ownerOf: (input: string) => string | undefined = (input) => input,
): SchemaIssue[] {
  const credit = new Map<string, Credit | undefined>();
  const warnings: SchemaIssue[] = [];
  for (const id of order) {
    const node = nodes.get(id);
    if (!node) continue;
    if (node.kind === 'source') {
      credit.set(id, sourceCredit(node));
      continue;
    }
    const upstream = sum(node.inputs.map((input) => credit.get(ownerOf(input) ?? input)));
    if (node.kind === 'transform') credit.set(id, isAckBoundary(node) ? undefined : upstream);
    else if (upstream) warnings.push(...sinkWarnings(node, upstream, nodes));
  }
  return warnings;
}
