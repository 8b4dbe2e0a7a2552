/** A unit-bearing value read from config text: the number it means, or why it was refused. */
export type UnitParse = { readonly ok: true; readonly value: number } | { readonly ok: false; readonly message: string };

// Units are case-sensitive and spelt as IEC and SI write them. Lowercase `mb` means 2^20 in
// Elasticsearch and Docker and 10^6 elsewhere, and a bare `m` is minutes in a duration, so
// only spellings that mean one thing everywhere are accepted.
const DURATION_UNITS: ReadonlyMap<string, number> = new Map([
  ['ms', 1],
  ['s', 1000],
  ['m', 60_000],
  ['min', 60_000],
  ['h', 3_600_000],
  ['d', 86_400_000],
]);

const PREFIXES = ['K', 'M', 'G', 'T'] as const;
const SIZE_UNITS: ReadonlyMap<string, number> = new Map([
  ['B', 1],
  ...PREFIXES.map((prefix, i): [string, number] => [`${prefix}iB`, 1024 ** (i + 1)]),
  ...PREFIXES.map((prefix, i): [string, number] => [`${prefix}B`, 1000 ** (i + 1)]),
  ['kB', 1000],
]);

/** The accepted size units, for messages and docs. */
export const SIZE_UNITS_TEXT = 'B, KiB, MiB, GiB, TiB (powers of 1024) or KB, MB, GB, TB (powers of 1000)';
/** The accepted duration units, for messages and docs. */
export const DURATION_UNITS_TEXT = 'ms, s, m or min, h, d';

// A non-negative decimal, optional blanks, then letters (possibly none).
const QUANTITY = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/;

/**
 * `"250ms"`, `"5s"`, `"1.5m"`, `"2min"`, `"2h"`, `"1d"`, or a bare number of milliseconds.
 * Units are case-sensitive.
 */
export function parseDuration(text: string): UnitParse {
  const match = QUANTITY.exec(text);
  if (!match) return { ok: false, message: `expected a duration such as "500ms", "5s" or "2min" (units: ${DURATION_UNITS_TEXT}), got ${JSON.stringify(text)}` };
  const [, amount, unit] = match;
  const factor = unit === '' ? 1 : DURATION_UNITS.get(unit);
  if (factor === undefined) return { ok: false, message: `unknown duration unit "${unit}": write one of ${DURATION_UNITS_TEXT} (case-sensitive)` };
  return { ok: true, value: Number(amount) * factor };
}

/** Why a unit that is not accepted was refused, with what to write instead. */
function sizeUnitProblem(unit: string): string {
  const family = /^([kmgt])(i?)(b?)$/i.exec(unit);
  if (family) {
    const prefix = family[1].toUpperCase();
    const power = PREFIXES.indexOf(prefix as (typeof PREFIXES)[number]) + 1;
    const binary = `${prefix}iB (2^${10 * power} bytes)`;
    // "Mi" or "mib" can only mean the binary unit: name it, do not call it ambiguous.
    if (family[2] !== '') return `size unit "${unit}" is not accepted: write ${binary} (units are case-sensitive)`;
    return `ambiguous size unit "${unit}": write ${binary} or ${prefix}B (10^${3 * power} bytes)`;
  }
  if (unit === 'b') return 'size unit "b" is not accepted: write B for bytes (units are case-sensitive)';
  return `unknown size unit "${unit}": write ${SIZE_UNITS_TEXT}`;
}

/**
 * `"64KiB"`, `"10MB"`, `"1.5GiB"`, `"512B"`, or a bare number of bytes. Binary units are powers
 * of 1024, decimal ones powers of 1000; single letters (`k`, `m`, `g`, `t`) and other
 * spellings are refused with a message saying what to write.
 */
export function parseBytes(text: string): UnitParse {
  const match = QUANTITY.exec(text);
  if (!match) return { ok: false, message: `expected a size such as "64KiB" or "10MB" (units: ${SIZE_UNITS_TEXT}), got ${JSON.stringify(text)}` };
  const [, amount, unit] = match;
  const factor = unit === '' ? 1 : SIZE_UNITS.get(unit);
  if (factor === undefined) return { ok: false, message: sizeUnitProblem(unit) };
  const value = Math.round(Number(amount) * factor);
  if (!Number.isSafeInteger(value)) return { ok: false, message: `size ${JSON.stringify(text)} is too large` };
  return { ok: true, value };
}

// Largest first, binary before decimal: the defaults are powers of two.
const FORMAT_ORDER = ['TiB', 'GiB', 'MiB', 'KiB', 'TB', 'GB', 'MB', 'KB'].map((unit): [string, number] => [unit, SIZE_UNITS.get(unit) ?? 1]);

/** A byte count as a config would write it (`64MiB`, `10MB`, `1500B`); `parseBytes` reads it back. */
export function formatBytes(size: number): string {
  const found = FORMAT_ORDER.find(([, factor]) => size >= factor && size % factor === 0);
  return found ? `${size / found[1]}${found[0]}` : `${size}B`;
}
