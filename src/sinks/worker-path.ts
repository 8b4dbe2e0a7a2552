/**
 * Replaces `%w` in a file path template with the worker index (`workers: N`; 0 in a
 * single-process run), leaving `%%` and the time directives for the strftime renderer.
 * Workers are separate processes: two of them appending to one file would interleave and
 * each would end the other's torn last line on open, so a file sink under `workers` should
 * write a path of its own per worker (`out/%w/%Y-%m-%d.ndjson`).
 */
export function withWorkerIndex(template: string, index: number): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (char !== '%' || i + 1 >= template.length) {
      out += char;
      continue;
    }
    const directive = template[++i];
    out += directive === 'w' ? String(index) : `%${directive}`;
  }
  return out;
}
