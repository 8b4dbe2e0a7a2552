import { createHmac } from 'node:crypto';
import type { OperatorFunction } from 'rxjs';
import type { Batch } from '../../src/core/batch';
import type { JsonObject, JsonValue, LogEvent } from '../../src/core/event';
import type { EventHooks } from '../../src/core/event-hooks';
import { ConfigError } from '../../src/core/errors';
import { getField, setField } from '../../src/core/field-path';
import { mapEvents } from '../map-events';
import { configPath } from './field-paths';
import { BUILTIN_PATTERNS, type BuiltinPatternName, type RedactPattern } from './redact-patterns';

/** Options of {@link redact}. */
export interface RedactOptions {
  /** Built-in detectors to apply; default all of them. */
  readonly builtins?: readonly BuiltinPatternName[];
  /** JavaScript regular expressions of further secrets (applied first; named groups allowed, numbered back-references not). */
  readonly patterns?: readonly string[];
  /** Dotted paths to redact (nested strings inside them included); default every string of the event. */
  readonly fields?: readonly string[];
  /** `mask` replaces a secret with `mask`; `hash` with its keyed HMAC-SHA256 (base64url), so equal secrets stay correlatable. */
  readonly mode?: 'mask' | 'hash';
  /** The replacement text in `mask` mode; default `[REDACTED]`. */
  readonly mask?: string;
  /** The HMAC key in `hash` mode (required there). */
  readonly key?: string;
}

/** The order of the built-in passes: specific shapes first, so a token's or an address's digits are gone before the card pass looks for digit runs. */
const PRIORITY: readonly BuiltinPatternName[] = ['bearer', 'jwt', 'aws_key', 'email', 'ipv6', 'ipv4', 'credit_card'];
/** Deeper than this, a subtree is replaced by the mask as a whole: bounded work, and nothing deep leaks. */
export const MAX_REDACT_DEPTH = 256;
const MAX_CACHED_HASHES = 10_000;

function checkUserPattern(source: string, index: number): string {
  const where = `patterns.${index}`;
  try {
    new RegExp(source);
  } catch (error) {
    throw new ConfigError(`${where}: invalid regular expression ${JSON.stringify(source)}: ${(error as Error).message}`, { path: where });
  }
  // A pattern matching nothing would insert the mask between every two characters.
  if (new RegExp(`^(?:${source})$`).test('')) throw new ConfigError(`${where}: ${JSON.stringify(source)} matches the empty string`, { path: where });
  // Each pattern becomes one alternative of a combined regex, which renumbers capture groups.
  if (/\\[1-9]/.test(source)) throw new ConfigError(`${where}: numbered back-references (\\1) are not supported; use a named group and \\k<name>`, { path: where });
  return source;
}

/** One scan of a string: skipped when the hint says the string cannot hold its secret. */
type Pass = (text: string) => string;

function compileRegex(source: string, where: string): RegExp {
  try {
    return new RegExp(source, 'g');
  } catch (error) {
    throw new ConfigError(`${where}: the patterns do not combine (a group name used twice?): ${(error as Error).message}`, { path: where });
  }
}

/**
 * The passes over each string: the user patterns together in one combined regex (one scan
 * however many), then each built-in in a pass of its own, run only where its hint (an `@`, a
 * `::`, a long digit run) says it may match; on a typical log line most are skipped after an
 * `indexOf`. Apart, a candidate a check refuses (a digit run failing Luhn) cannot swallow the
 * start of a secret of another kind (`0 0a@b.co`). Earlier passes' output is rescanned by
 * later ones: the mask and the base64url hashes hold nothing a built-in takes.
 */
function compilePasses(user: readonly string[], builtins: readonly RedactPattern[], secretOut: (secret: string) => string): Pass[] {
  const passes: Pass[] = [];
  if (user.length > 0) {
    const regex = compileRegex(user.map((source) => `(?:${source})`).join('|'), 'patterns');
    passes.push((text) => text.replace(regex, secretOut));
  }
  for (const pattern of builtins) {
    const regex = new RegExp(pattern.source, 'g');
    const { accept, replace, hint } = pattern;
    const onMatch = (match: string): string => (accept !== undefined && !accept(match) ? match : replace !== undefined ? replace(match, secretOut) : secretOut(match));
    passes.push(hint === undefined ? (text) => text.replace(regex, onMatch) : (text) => (hint(text) ? text.replace(regex, onMatch) : text));
  }
  return passes;
}

/** The secret → replacement function of the chosen mode; hashes are cached because the same values repeat (IPs, users). */
function replacer(options: RedactOptions): (secret: string) => string {
  if ((options.mode ?? 'mask') === 'mask') {
    const mask = options.mask ?? '[REDACTED]';
    return () => mask;
  }
  const key = options.key;
  if (key === undefined || key === '') throw new ConfigError('key: hash mode needs a key (keep it secret: with it, guessed values can be confirmed)', { path: 'key' });
  const cache = new Map<string, string>();
  return (secret) => {
    let hash = cache.get(secret);
    if (hash === undefined) {
      // base64url, not hex: later passes rescan the output, and hex is rich in digit runs a card check could take.
      hash = createHmac('sha256', key).update(secret).digest('base64url');
      if (cache.size >= MAX_CACHED_HASHES) cache.clear();
      cache.set(secret, hash);
    }
    return hash;
  };
}

/**
 * Replaces secrets in string fields: user regexes plus built-in detectors (e-mail, IPv4,
 * IPv6, Luhn-checked card numbers, bearer tokens, JWTs, AWS keys), masked or replaced by a
 * keyed HMAC-SHA256. Every string nested in the chosen `fields` (default: the whole event)
 * is scanned by the user patterns combined in one regex, then by each built-in whose cheap
 * hint matches; object keys are not. Changed nested objects are copies, so events shared
 * after a fan-out are untouched. Options are checked at creation ({@link ConfigError}).
 *
 * ```
 * source:  --a--|      a: { message: "login bob@example.com from 10.1.2.3" }
 * result:  --A--|      A: { message: "login [REDACTED] from [REDACTED]" }
 * ```
 *
 * @example
 * import { redact } from 'sluice';
 * const safe = redact({ builtins: ['email', 'credit_card'], mode: 'hash', key: process.env.REDACT_KEY });
 *
 * @see mapEvents
 */
export function redact(options: RedactOptions = {}, hooks: EventHooks = {}): OperatorFunction<Batch, Batch> {
  const builtins = new Set(options.builtins ?? PRIORITY);
  for (const name of builtins) if (!Object.hasOwn(BUILTIN_PATTERNS, name)) throw new ConfigError(`builtins: unknown detector ${JSON.stringify(name)}; known: ${PRIORITY.join(', ')}`, { path: 'builtins' });
  const user = (options.patterns ?? []).map(checkUserPattern);
  const detectors = PRIORITY.filter((name) => builtins.has(name)).map((name): RedactPattern => BUILTIN_PATTERNS[name]);
  if (user.length === 0 && detectors.length === 0) throw new ConfigError('builtins: nothing to redact: no built-in detector and no pattern', { path: 'builtins' });
  const paths = options.fields?.map((field, index) => configPath(field, `fields.${index}`));
  const mask = options.mask ?? '[REDACTED]';
  const passes = compilePasses(user, detectors, replacer(options));
  const redactText = (text: string): string => {
    let out = text;
    for (const pass of passes) out = pass(out);
    return out;
  };

  /** The value with every nested string redacted: the same reference when nothing changed, a copy otherwise. */
  const redactValue = (value: JsonValue, depth: number): JsonValue => {
    if (typeof value === 'string') return redactText(value);
    if (value === null || typeof value !== 'object') return value;
    if (depth >= MAX_REDACT_DEPTH) return mask;
    if (Array.isArray(value)) {
      let copy: JsonValue[] | undefined;
      for (let i = 0; i < value.length; i++) {
        const next = redactValue(value[i], depth + 1);
        if (next !== value[i]) (copy ??= value.slice())[i] = next;
      }
      return copy ?? value;
    }
    let copy: JsonObject | undefined;
    for (const key in value) {
      const child = value[key];
      if (child === undefined) continue;
      const next = redactValue(child, depth + 1);
      if (next !== child) (copy ??= { ...value })[key] = next;
    }
    return copy ?? value;
  };

  const project =
    paths === undefined
      ? (event: LogEvent): LogEvent => {
          // The event itself is this branch's own (mapEvents copied it if shared): write its top level in place.
          for (const key in event) {
            const child = event[key];
            if (child === undefined) continue;
            const next = redactValue(child, 1);
            if (next !== child) event[key] = next;
          }
          return event;
        }
      : (event: LogEvent): LogEvent => {
          for (const path of paths) {
            const value = getField(event, path);
            if (value === undefined) continue;
            const next = redactValue(value, path.length);
            if (next !== value) setField(event, path, next);
          }
          return event;
        };
  return mapEvents(project, hooks);
}
