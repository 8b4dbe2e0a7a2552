/**
 * strftime-style path templates rendered from event timestamps, in UTC:
 * `data/logs/%Y-%m-%d/%H.ndjson`. Supported: `%Y %m %d %H %M %S`, `%F` (`%Y-%m-%d`) and `%%`.
 * Each directive is a fixed slice of the canonical ISO form `YYYY-MM-DDTHH:MM:SS`.
 */
const DIRECTIVES: Readonly<Record<string, readonly [number, number]>> = {
  Y: [0, 4],
  m: [5, 7],
  d: [8, 10],
  H: [11, 13],
  M: [14, 16],
  S: [17, 19],
  F: [0, 10],
};

/** A compiled template: literal text and ISO slices. */
export interface PathTemplate {
  /** How many leading ISO characters the rendered path depends on (0: none, 13: up to the hour). */
  readonly keyLength: number;
  /** Renders from a canonical UTC ISO string (`toISOString()` form). */
  render(iso: string): string;
}

/** Compiles a template once; an unknown directive is a config error, thrown here. */
export function compileTemplate(template: string): PathTemplate {
  const parts: Array<string | readonly [number, number]> = [];
  let literal = '';
  let keyLength = 0;
  for (let i = 0; i < template.length; i++) {
    const char = template[i];
    if (char !== '%') {
      literal += char;
      continue;
    }
    const directive = template[++i];
    if (directive === '%') {
      literal += '%';
      continue;
    }
    const slice = directive === undefined ? undefined : DIRECTIVES[directive];
    if (!slice) {
      throw new Error(`path template ${JSON.stringify(template)}: unsupported directive %${directive ?? ''} (use %Y %m %d %H %M %S %F or %%)`);
    }
    if (literal) parts.push(literal);
    literal = '';
    parts.push(slice);
    keyLength = Math.max(keyLength, slice[1]);
  }
  if (literal) parts.push(literal);
  return {
    keyLength,
    render(iso) {
      let out = '';
      for (const part of parts) out += typeof part === 'string' ? part : iso.slice(part[0], part[1]);
      return out;
    },
  };
}

const CANONICAL_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
const Z = 90;
const MAX_CACHED = 1024;

/** The canonical UTC ISO form of a timestamp, or undefined when it is not a usable time. */
function canonicalIso(timestamp: unknown): string | undefined {
  if (typeof timestamp === 'string' && CANONICAL_UTC.test(timestamp)) return timestamp;
  if (typeof timestamp !== 'string' && typeof timestamp !== 'number') return undefined;
  const ms = typeof timestamp === 'number' ? timestamp : Date.parse(timestamp);
  if (!Number.isFinite(ms)) return undefined;
  const date = new Date(ms);
  const year = date.getUTCFullYear();
  // toISOString() writes years outside 0..9999 with a sign and six digits: not sliceable.
  return year >= 0 && year <= 9999 ? date.toISOString() : undefined;
}

/**
 * Renders paths for events, cheaply: events of one batch nearly always share the hour, so
 * the last key is remembered and a timestamp that ends in `Z` and starts with it gets the
 * same path with no parsing at all. Other timestamps are validated (a regex for UTC ISO
 * strings, `Date.parse` for the rest) and their rendered path is cached by key. A missing
 * or unparseable timestamp uses `fallbackIso` (the sink's clock).
 */
export class PathRenderer {
  private readonly template: PathTemplate;
  private readonly cache = new Map<string, string>();
  private lastKey: string | undefined;
  private lastPath = '';

  constructor(template: string) {
    this.template = compileTemplate(template);
  }

  pathFor(timestamp: unknown, fallbackIso: () => string): string {
    const lastKey = this.lastKey;
    if (lastKey !== undefined && typeof timestamp === 'string' && timestamp.charCodeAt(timestamp.length - 1) === Z && timestamp.startsWith(lastKey)) {
      return this.lastPath;
    }
    const iso = canonicalIso(timestamp) ?? fallbackIso();
    const key = iso.slice(0, this.template.keyLength);
    let path = this.cache.get(key);
    if (path === undefined) {
      path = this.template.render(iso);
      if (this.cache.size >= MAX_CACHED) this.cache.clear();
      this.cache.set(key, path);
    }
    this.lastKey = key;
    this.lastPath = path;
    return path;
  }
}
