/** The checkpoint's file name inside a component's data directory. */
export const CHECKPOINT_FILE = 'checkpoint.json';
/** The format written: `{"version":2,"positions":{"<key>":N,...}}`. */
export const CHECKPOINT_VERSION = 2;
/**
 * The key of a source with a single position (the generator's sequence). A version-1 file,
 * `{"version":1,"position":N}`, is read as this key and rewritten as version 2 at the next save.
 */
export const SINGLE_KEY = 'default';

/** A checkpoint file that exists but cannot be read as one: the message names the file and what is wrong. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

const isPosition = (value: unknown): value is number => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The committed position of every key in a checkpoint file's text; throws {@link CheckpointError}. */
export function parseCheckpoint(text: string, file: string): Map<string, number> {
  const fail = (what: string): never => {
    throw new CheckpointError(`checkpoint ${file} ${what}; fix or delete it (deleting re-reads from each input's start position)`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(`is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
  if (!isObject(parsed)) return fail('does not hold an object');
  const { version } = parsed;
  if (version === 1) {
    if (!isPosition(parsed.position)) return fail('is version 1 without a valid "position"');
    return new Map([[SINGLE_KEY, parsed.position]]);
  }
  if (version !== CHECKPOINT_VERSION) return fail(`has unknown version ${JSON.stringify(version)} (this sluice reads 1 and ${CHECKPOINT_VERSION})`);
  const { positions } = parsed;
  if (!isObject(positions)) return fail('has no "positions" object');
  const result = new Map<string, number>();
  for (const key of Object.keys(positions)) {
    const position = positions[key];
    if (!isPosition(position)) return fail(`holds an invalid position for ${JSON.stringify(key)}: ${JSON.stringify(position)}`);
    result.set(key, position);
  }
  return result;
}

/** The file text for committed `positions` (one line, newline-terminated). */
export function formatCheckpoint(positions: Iterable<readonly [string, number]>): string {
  const object: Record<string, number> = {};
  for (const [key, position] of positions) object[key] = position;
  return `${JSON.stringify({ version: CHECKPOINT_VERSION, positions: object })}\n`;
}
