import { join } from 'node:path';
import { sourceCommonOptions } from '../components/define';
import { fanOutOptions } from '../components/shapes';
import { sinkBlockOptions } from '../components/sink-blocks';
import type { ValidatedGraph } from '../graph/validate';
import type { AckLedger } from './ack-ledger';
import { memorySource, toFeed, type InputLike } from './memory-source';
import type { ScriptedSink } from './scripted-sink';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The keys of `raw` that are also keys of `shape`, in a fresh object. */
function pick(raw: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => raw[key] !== undefined).map((key) => [key, raw[key]]));
}

/** A reliability block whose `path:` would write outside the test's directory, moved inside it. */
function contained(block: unknown, dataDir: string, id: string, kind: string): unknown {
  if (!isRecord(block) || typeof block.path !== 'string') return block;
  return { ...block, path: join(dataDir, 'moved', kind, id) };
}

/**
 * The same pipeline with every source replaced by an in-memory source and every sink by a
 * scripted, capturing sink, by component name. Everything between them (transforms, the
 * sinks' batch settings, buffers, retry, circuit breakers, dead-letter queues, fan-out
 * policies, credit bounds) is kept as written, so the graph under test is the graph that
 * runs in production; only the I/O at its edges is swapped. State (disk buffers, dead
 * letters) goes under `dataDir`, including blocks that name a `path:` of their own.
 */
export function swapEdges(
  raw: Record<string, unknown>,
  graph: ValidatedGraph,
  options: { inputs: Readonly<Record<string, InputLike>>; sinks: ReadonlyMap<string, ScriptedSink>; ledger: AckLedger; dataDir: string },
): Record<string, unknown> {
  const sources: Record<string, unknown> = {};
  const transforms: Record<string, unknown> = {};
  const sinks: Record<string, unknown> = {};
  const section = (name: string): Record<string, unknown> => (isRecord(raw[name]) ? raw[name] : {});
  for (const node of graph.nodes.values()) {
    const written = section(`${node.kind}s`)[node.id];
    const spec = isRecord(written) ? written : {};
    if (node.kind === 'source') {
      const feed = toFeed(options.inputs[node.id]);
      sources[node.id] = { ...pick(spec, [...Object.keys(sourceCommonOptions), ...Object.keys(fanOutOptions)]), source: memorySource(feed, options.ledger) };
    } else if (node.kind === 'transform') {
      const moved = node.type === 'buffer' || node.type === 'dead_letter' ? contained(spec, options.dataDir, node.id, node.type) : spec;
      transforms[node.id] = moved;
    } else {
      const blocks = Object.fromEntries(Object.keys(sinkBlockOptions).filter((key) => spec[key] !== undefined).map((key) => [key, contained(spec[key], options.dataDir, node.id, key)]));
      // The validated values: the real sink type's own batch defaults, not a custom sink's.
      const common = pick(node.config, ['batch', 'concurrency', 'request_timeout']);
      sinks[node.id] = { ...common, ...blocks, inputs: node.inputs, sink: options.sinks.get(node.id) };
    }
  }
  return { shutdown_timeout: graph.settings.shutdown_timeout, data_dir: options.dataDir, sources, transforms, sinks };
}
