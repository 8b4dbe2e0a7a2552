import type { ConfigPath, SchemaIssue } from './schema';

const VARIABLE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;
const WHOLE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/;

/**
 * Expands `${VAR}` and `${VAR:-default}` in every string of a config (`$$` is a literal
 * `$`). Expansion happens on parsed values, never on the file text, so a variable cannot
 * inject YAML structure and line numbers stay true. An unset variable with no default is
 * an issue at its path. When a whole value is one variable, `retype` may turn the text
 * into a number or boolean.
 */
export function expandEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  retype: (text: string) => unknown = (text) => text,
): { value: unknown; issues: SchemaIssue[] } {
  const issues: SchemaIssue[] = [];
  const walk = (node: unknown, path: ConfigPath): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('$')) return node;
      const text = node.replace(VARIABLE, (match, name: string | undefined, fallback: string | undefined) => {
        if (match === '$$') return '$';
        // Own variables only: an unset `${constructor}` must not expand to Object's source text.
        const found = Object.hasOwn(env, name as string) ? env[name as string] : undefined;
        if (found !== undefined && found !== '') return found;
        if (fallback !== undefined) return fallback;
        issues.push({ path, message: `environment variable ${name} is not set (write \${${name}:-default} to give a default)` });
        return '';
      });
      return WHOLE.test(node) ? retype(text) : text;
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (typeof node === 'object' && node !== null) {
      // fromEntries defines own properties: a YAML `__proto__:` key stays a key (reported as an
      // unknown option), where assigning it would swap the object's prototype.
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return node;
  };
  return { value: walk(value, []), issues };
}
