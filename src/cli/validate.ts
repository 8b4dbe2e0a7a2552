import type { ValidatedGraph } from '../graph/validate';
import type { CliArgs } from './args';
import { loadPipeline, reportLoadErrors, type CliIo } from './load';

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** The one-line summary of a valid graph: how many of each kind of component it wires. */
export function summarize(graph: ValidatedGraph): string {
  const count = { source: 0, transform: 0, sink: 0 };
  for (const node of graph.nodes.values()) count[node.kind] += 1;
  return `${plural(count.source, 'source')}, ${plural(count.transform, 'transform')}, ${plural(count.sink, 'sink')}`;
}

/**
 * `sluice validate`: checks a config without starting anything, so CI can gate a deploy on
 * it. Prints every problem at once (not the first), exit 2; or a one-line summary, exit 0.
 * Warnings go to stderr like problems but keep exit 0: the pipeline runs, only not as
 * well as it could, and a deploy gate should not fail on that.
 */
export function validateCommand(args: CliArgs, io: CliIo): number {
  const result = loadPipeline(args.config, io.env);
  if (!result.ok) {
    reportLoadErrors(io, result.errors);
    return 2;
  }
  const { warnings } = result;
  if (warnings.length > 0) io.stderr(`${warnings.join('\n')}\n`);
  const noted = warnings.length > 0 ? ` (${plural(warnings.length, 'warning')})` : '';
  io.stdout(`${args.config}: valid${noted}: ${summarize(result.pipeline.graph)}\n`);
  return 0;
}
