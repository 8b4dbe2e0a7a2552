import type { ConfigPath, IssueCollector, Option, OptionDoc } from './schema';

/** The options of a component or block, by snake_case name. */
export type Shape = Record<string, Option<unknown, unknown>>;

/** The validated config a shape yields (defaults applied). */
export type InferOut<S extends Shape> = { [K in keyof S]: S[K] extends Option<infer O, unknown> ? O : never };

/**
 * What a user may write for a shape. Every key is optional at the type level; required
 * options are enforced by validation, which runs before anything starts.
 */
export type InferIn<S extends Shape> = { [K in keyof S]?: S[K] extends Option<unknown, infer I> ? I : never };

/** Suggests the closest known name for a misspelt one (edit distance ≤ 2). */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = saved;
    }
  }
  return row[b.length];
}

/**
 * A block of named options. Unknown keys are errors (with a did-you-mean), except those in
 * `reserved` (keys the graph itself reads, such as `type` and `inputs`).
 */
export function object<S extends Shape>(
  shape: S,
  info: { description: string; reserved?: readonly string[]; optional?: boolean } = { description: '' },
): Option<InferOut<S>, InferIn<S>> {
  const names = Object.keys(shape);
  const fields: Record<string, OptionDoc> = {};
  for (const name of names) fields[name] = shape[name].doc;
  return {
    doc: { type: 'object', description: info.description, required: false, fields },
    parse(value: unknown, path: ConfigPath, issues: IssueCollector) {
      const input = value === undefined || value === null ? {} : value;
      if (typeof input !== 'object' || Array.isArray(input)) {
        issues.add(path, `expected a map of options, got ${Array.isArray(input) ? 'a list' : typeof input}`);
        return undefined;
      }
      const source = input as Record<string, unknown>;
      for (const key of Object.keys(source)) {
        // Own keys only: `key in shape` would take `constructor:` or `toString:` for options.
        if (Object.hasOwn(shape, key) || info.reserved?.includes(key)) continue;
        // Reserved keys are known keys too: `sourcez:` is a misspelt `sources:`, `typ:` a `type:`.
        const known = [...names, ...(info.reserved ?? [])];
        const hint = closestName(key, known);
        issues.add([...path, key], `unknown option "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}; known options: ${known.join(', ') || 'none'}`);
      }
      const out: Record<string, unknown> = {};
      for (const name of names) out[name] = shape[name].parse(Object.hasOwn(source, name) ? source[name] : undefined, [...path, name], issues);
      return out as InferOut<S>;
    },
  };
}
