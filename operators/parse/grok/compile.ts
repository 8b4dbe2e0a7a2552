import { ConfigError } from '../../../src/core/errors';
import { compileRegex, type CompiledPattern } from '../regex-source';
import { GROK_PATTERNS } from './patterns';

/** `%{NAME}`, `%{NAME:field}`, `%{NAME:field:int}`: a reference, its field and its type hint. */
const REFERENCE = /%\{([^}:]*)(?::([^}:]*))?(?::([^}]*))?\}/g;
const PATTERN_NAME = /^[A-Za-z0-9_]+$/;
/** A field: a dotted path (`http.status`) or Logstash's bracket form (`[http][status]`). */
const FIELD_NAME = /^(?:[A-Za-z_@][\w@.-]*|(?:\[[A-Za-z_@][\w@-]*\])+)$/;
/** References nest this deep at most: far past any real library, short of a stack overflow. */
const MAX_DEPTH = 64;
/** Compiled expressions kept per library; config holds a handful, the bound guards ad-hoc use. */
const MAX_CACHED = 1024;

/** 1-based, as editors count columns. */
const at = (offset: number): number => offset + 1;

/** `[http][status]` → `http.status`; a dotted name stays. */
const dotted = (field: string): string => (field.startsWith('[') ? field.slice(1, -1).split('][').join('.') : field);

/**
 * `text` with every reference replaced by one atom of the same length (a character class
 * `[xxx]`, which a quantifier may follow as it may follow the group a reference becomes), so
 * the text's own regex syntax can be checked with positions that match it.
 */
function maskReferences(text: string): string {
  return text.replace(REFERENCE, (reference) => `[${'x'.repeat(reference.length - 2)}]`);
}

/**
 * A set of grok patterns (the built-in library plus a pipeline's own) and the expressions
 * compiled from it. Each expression becomes one RegExp, compiled once and cached here, so
 * every stage that uses the same library and expression shares it.
 */
export class GrokLibrary {
  private readonly patterns: ReadonlyMap<string, string>;
  private readonly compiled = new Map<string, CompiledPattern>();

  /**
   * `custom` patterns are added to (and may replace) the built-in ones. Each is checked now:
   * a bad name or regex is a {@link ConfigError} naming the pattern and the position.
   */
  constructor(custom: Readonly<Record<string, string>> = {}) {
    const patterns = new Map(Object.entries(GROK_PATTERNS));
    for (const [name, regex] of Object.entries(custom)) {
      if (!PATTERN_NAME.test(name)) throw new ConfigError(`pattern name ${JSON.stringify(name)} may hold only letters, digits and "_"`);
      if (typeof regex !== 'string') throw new ConfigError(`pattern ${name}: expected a regex string`);
      checkSyntax(regex, `pattern ${name}`);
      patterns.set(name, regex);
    }
    this.patterns = patterns;
  }

  /** Whether `name` is a pattern of this library. */
  has(name: string): boolean {
    return this.patterns.has(name);
  }

  /** The names of every pattern, sorted. */
  names(): string[] {
    return [...this.patterns.keys()].sort();
  }

  /**
   * One RegExp for a grok expression, with a field for every `%{NAME:field}` and named group.
   * Unknown pattern names, bad field names, self-referring patterns and invalid regex syntax
   * throw a {@link ConfigError} with the 1-based position in the expression (or the pattern).
   */
  compile(expression: string): CompiledPattern {
    const cached = this.compiled.get(expression);
    if (cached !== undefined) return cached;
    checkSyntax(expression, 'expression');
    const source = this.expand(expression, 'expression', []);
    // Each part was checked on its own; a failure here comes from how they combine.
    const pattern = compileRegex(source, '', `the expansion of ${JSON.stringify(expression)}`);
    if (this.compiled.size >= MAX_CACHED) this.compiled.clear();
    this.compiled.set(expression, pattern);
    return pattern;
  }

  /** `text` with every reference replaced by its pattern's regex, fields as named groups. */
  private expand(text: string, where: string, stack: readonly string[]): string {
    if (stack.length > MAX_DEPTH) throw new ConfigError(`${where}: patterns nest deeper than ${MAX_DEPTH} levels`);
    return text.replace(REFERENCE, (reference: string, name: string, field: string | undefined, hint: string | undefined, offset: number) => {
      const position = `at position ${at(offset)} of ${where} ${JSON.stringify(text)}`;
      const body = this.patterns.get(name);
      if (body === undefined) throw new ConfigError(`unknown grok pattern ${JSON.stringify(name)} ${position}${suggest(name, this.patterns)}`);
      if (stack.includes(name)) throw new ConfigError(`grok pattern ${name} refers to itself (${[...stack, name].join(' → ')}) ${position}`);
      if (hint !== undefined && hint !== 'int' && hint !== 'float') throw new ConfigError(`unknown type ${JSON.stringify(hint)} in ${reference} ${position}: expected int or float`);
      const inner = this.expand(body, `pattern ${name}`, [...stack, name]);
      if (field === undefined || field === '') return `(?:${inner})`;
      if (!FIELD_NAME.test(field)) throw new ConfigError(`invalid field name ${JSON.stringify(field)} in ${reference} ${position}`);
      return `(?<${dotted(field)}${hint === undefined ? '' : `:${hint}`}>${inner})`;
    });
  }
}

/** Checks the regex syntax `text` has of its own (references masked), naming `where` in errors. */
function checkSyntax(text: string, where: string): void {
  try {
    compileRegex(maskReferences(text), '', `${where} ${JSON.stringify(text)}`);
  } catch (error) {
    throw error instanceof ConfigError ? error : new ConfigError(`${where}: ${(error as Error).message}`);
  }
}

/** ` (did you mean X?)` for a name one edit away from a known one, by case. */
function suggest(name: string, patterns: ReadonlyMap<string, string>): string {
  const upper = name.toUpperCase();
  return upper !== name && patterns.has(upper) ? ` (did you mean ${upper}?)` : '';
}

/**
 * Patterns from a file in the usual grok form: one `NAME regex` per line, `#` comments and
 * blank lines skipped. A line without a regex is a {@link ConfigError} naming its line.
 */
export function parsePatternsFile(text: string, file = 'patterns file'): Record<string, string> {
  const patterns: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+)\s+(.+)$/.exec(line);
    if (match === null) throw new ConfigError(`${file}:${i + 1}: expected "NAME regex", got ${JSON.stringify(line)}`);
    patterns[match[1]] = match[2];
  }
  return patterns;
}

/** The library of the built-in patterns alone, shared (with its cache) by every stage that adds none. */
export const BUILTIN_GROK = new GrokLibrary();
