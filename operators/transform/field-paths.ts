import { ConfigError } from '../../src/core/errors';
import { compilePath, type FieldPath } from '../../src/core/field-path';

/**
 * Compiles a config path once, turning a malformed one into a {@link ConfigError} that names
 * the option (`fields.a..b`): the shared first step of the field transforms.
 */
export function configPath(path: string, where: string): FieldPath {
  try {
    return compilePath(path);
  } catch (error) {
    throw new ConfigError(`${where}: ${(error as Error).message}`, { path: where });
  }
}

/** `from → to` pairs compiled once, in the order given. */
export function configPairs(pairs: Readonly<Record<string, string>>, where: string): Array<readonly [FieldPath, FieldPath]> {
  return Object.entries(pairs).map(([from, to]) => [configPath(from, `${where}.${from}`), configPath(to, `${where}.${from}`)] as const);
}

/**
 * Runs `build` (an operator factory) and returns the {@link ConfigError} it throws as
 * problems located at its option path: how a component's `check` reports at validate time
 * exactly what creating the stage would refuse, without a second set of rules.
 */
export function configProblems(build: () => unknown): Array<{ path: Array<string | number>; message: string }> {
  try {
    build();
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const where = error.location?.path ?? '';
    const message = where !== '' && error.message.startsWith(`${where}: `) ? error.message.slice(where.length + 2) : error.message;
    // List indices as numbers, as the config parser writes them, so the YAML loader can locate the line.
    return [{ path: where.split('.').filter((part) => part !== '').map((part) => (/^\d+$/.test(part) ? Number(part) : part)), message }];
  }
}
