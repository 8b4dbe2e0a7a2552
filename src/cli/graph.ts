import { renderMermaid } from '../graph/mermaid';
import type { CliArgs } from './args';
import { loadPipeline, reportLoadErrors, type CliIo } from './load';

/**
 * `sluice graph`: prints the validated pipeline as a Mermaid flowchart, so the picture in a
 * README or a review is generated from the config that runs, never drawn by hand.
 */
export function graphCommand(args: CliArgs, io: CliIo): number {
  const result = loadPipeline(args.config, io.env);
  if (!result.ok) {
    reportLoadErrors(io, result.errors);
    return 2;
  }
  io.stdout(renderMermaid(result.pipeline.graph));
  return 0;
}
