import type { SchemaIssue } from '../config/schema';
import type { GraphNode } from './validate';

/**
 * Under `workers` (above 1, or auto) every worker runs every sink: a `file` sink whose path
 * has no `%w` would have several processes appending to the same files, interleaving
 * batches and each ending the other's torn last line on open. Warned, not refused: the
 * path may hold a `${VAR}` that differs per worker.
 */
export function workerWarnings(workers: number | 'auto', nodes: ReadonlyMap<string, GraphNode>): SchemaIssue[] {
  if (workers === 1) return [];
  const issues: SchemaIssue[] = [];
  for (const node of nodes.values()) {
    if (node.kind !== 'sink' || node.type !== 'file') continue;
    const path = node.config.path;
    if (typeof path === 'string' && !/(^|[^%])(%%)*%w/.test(path)) {
      issues.push({ path: [...node.path, 'path'], message: `with workers: ${workers} every worker appends to these same files; put %w (the worker index) in the path, e.g. ${JSON.stringify(path.replace(/(\.[^./]*)?$/, '-%w$1'))}` });
    }
  }
  return issues;
}
