import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Where the keys come from: a list in config, a file of one key per line, or both. */
export interface ApiKeysOptions {
  readonly keys?: readonly string[];
  /** One key per line; blank lines and lines starting with `#` are ignored. */
  readonly file?: string;
}

interface KnownKey {
  /** SHA-256 of the key: every digest is 32 bytes, so the comparison takes the same time for any input. */
  readonly digest: Buffer;
  /** A short, stable, non-secret name for the key (metrics, rate limiting, batch meta). */
  readonly id: string;
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Keys in a file's text: one per line, `#` starts a comment line, surrounding blanks ignored. */
export function parseKeyFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/**
 * API-key authentication shared by the network sources (HTTP, gRPC). A caller presents its
 * key as `Authorization: Bearer <key>` or `x-api-key: <key>`. Keys are kept only as SHA-256
 * digests and compared with `timingSafeEqual` against every known key (no early exit), so
 * neither the length nor the prefix of a guess leaks through timing. What a successful check
 * returns is the key's id, `key-` plus the first 12 hex digits of a digest of the key: stable
 * across restarts, safe to put in a metric label or a log line, unusable as a key.
 */
export class ApiKeys {
  private constructor(private readonly known: readonly KnownKey[]) {}

  /**
   * The keys of `options`; `undefined` when none are configured (authentication off). The
   * file is read once, synchronously, at start-up; a missing or unreadable file throws, so a
   * misconfigured source does not silently run open. A file with no keys also throws.
   */
  static from(options: ApiKeysOptions): ApiKeys | undefined {
    const keys = [...(options.keys ?? [])];
    if (options.file !== undefined) {
      const fromFile = parseKeyFile(readFileSync(options.file, 'utf8'));
      if (fromFile.length === 0) throw new Error(`api_keys_file ${options.file} holds no key`);
      keys.push(...fromFile);
    }
    if (keys.length === 0) return undefined;
    const unique = [...new Set(keys)];
    return new ApiKeys(unique.map((key) => ({ digest: sha256(key), id: ApiKeys.idOf(key) })));
  }

  /** The non-secret id {@link authenticate} returns for `key`. */
  static idOf(key: string): string {
    return `key-${createHash('sha256').update('sluice-key-id:').update(key, 'utf8').digest('hex').slice(0, 12)}`;
  }

  /** How many distinct keys are configured. */
  get size(): number {
    return this.known.length;
  }

  /**
   * The id of the key presented in `authorization` (`Bearer <key>`) or else `apiKey`
   * (`x-api-key`); undefined when neither holds a known key.
   */
  authenticate(authorization: string | undefined, apiKey: string | undefined): string | undefined {
    const bearer = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
    const presented = bearer ?? apiKey?.trim();
    if (presented === undefined || presented === '') return undefined;
    const digest = sha256(presented);
    let match: string | undefined;
    // Compare against every key, even after a match: the time taken does not say which matched.
    for (const key of this.known) {
      if (timingSafeEqual(key.digest, digest) && match === undefined) match = key.id;
    }
    return match;
  }
}
