import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parse as parseYamlText, parseDocument, type Node } from 'yaml';
import { ConfigError } from '../core/errors';
import { expandEnv } from './env';
import type { ConfigPath, SchemaIssue } from './schema';

/** A parsed config file that can point back at its own lines. */
export interface LoadedConfig {
  readonly file: string;
  /** The config as plain data, `${VAR}` expanded. */
  readonly data: unknown;
  /** The 1-based line and column of the value (or option name) at `path`. */
  locate(path: ConfigPath): { line: number; column: number } | undefined;
  /** An issue as a located {@link ConfigError}. */
  toError(issue: SchemaIssue): ConfigError;
  /**
   * Unset `${VAR}`s (with no default), each at its path; those values are expanded to "".
   * {@link readYamlConfig} leaves them here so they can be reported together with the
   * validation problems; {@link loadYamlConfig} throws on the first.
   */
  readonly issues: readonly SchemaIssue[];
}

function nodeAt(root: Node | null, path: ConfigPath): { offset: number } | undefined {
  let node: unknown = root;
  let offset: number | undefined = root?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      node = node.items[segment];
      offset = (node as Node).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : { offset };
}

/** `${VAR}` expansion turns `"8"` back into 8 when the whole value was one variable. */
function retype(text: string): unknown {
  try {
    const value: unknown = parseYamlText(text);
    return typeof value === 'object' && value !== null ? text : value;
  } catch {
    return text;
  }
}

/**
 * Reads a YAML pipeline. Syntax errors and unset variables become {@link ConfigError}s
 * naming the file, line and column; the result can locate any config path for validation
 * errors found later.
 */
export function loadYamlConfig(file: string, env: NodeJS.ProcessEnv = process.env, text?: string): LoadedConfig {
  const loaded = readYamlConfig(file, env, text);
  if (loaded.issues.length > 0) throw loaded.toError(loaded.issues[0]);
  return loaded;
}

/**
 * Reads a YAML pipeline like {@link loadYamlConfig}, but returns unset variables in
 * `issues` instead of throwing, so a loader can report them beside every validation
 * problem at once (a syntax error still throws: nothing after it can be trusted).
 */
export function readYamlConfig(file: string, env: NodeJS.ProcessEnv = process.env, text?: string): LoadedConfig {
  const source = text ?? readFileSync(file, 'utf8');
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locateOffset = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const position = locateOffset(first.pos[0]);
    throw new ConfigError(`YAML syntax error: ${first.message.split('\n')[0]}`, { file, ...position });
  }
  const root = document.contents as Node | null;
  const locate = (path: ConfigPath) => {
    const found = nodeAt(root, path);
    return found ? locateOffset(found.offset) : undefined;
  };
  const toError = (issue: SchemaIssue) => {
    const option = issue.path.join('.');
    return new ConfigError(option ? `${option}: ${issue.message}` : issue.message, { file, path: option, ...locate(issue.path) });
  };
  const expanded = expandEnv(document.toJS({ maxAliasCount: 100 }), env, retype);
  return { file, data: expanded.value, locate, toError, issues: expanded.issues };
}
