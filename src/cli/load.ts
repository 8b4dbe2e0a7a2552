import { ConfigError } from '../core/errors';
import type { ConfigPath, SchemaIssue } from '../config/schema';
import { readYamlConfig } from '../config/yaml';
import { Pipeline, PipelineValidationError, type PipelineOptions } from '../graph/pipeline';

/**
 * A config that loaded and validated (with its warnings, `file:line:col: warning: option:
 * message`), or every reason it did not, one printable line each.
 */
export type LoadResult =
  | { readonly ok: true; readonly pipeline: Pipeline; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Where the CLI writes: the real streams in `main`, buffers in tests. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
  /** stderr is a terminal: progress bars rather than progress lines. */
  readonly interactive?: boolean;
}

/** Duck-typed: fs errors may come from another realm (jest's VM sandbox), failing `instanceof`. */
const errnoCode = (error: unknown): string | undefined =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;

/** Problems top to bottom, as an editor lists them (validation finds them section by section). */
function inFileOrder(errors: readonly ConfigError[]): ConfigError[] {
  const key = (error: ConfigError): [number, number] => [error.location?.line ?? 0, error.location?.column ?? 0];
  return [...errors].sort((a, b) => key(a)[0] - key(b)[0] || key(a)[1] - key(b)[1]);
}

/** `file:line:col: warning: option: message`: an error's place, marked as only a warning. */
function formatWarning(warning: ConfigError): string {
  const where = [warning.location?.file, warning.location?.line, warning.location?.column].filter((part) => part !== undefined);
  return `${where.length > 0 ? `${where.join(':')}: ` : ''}warning: ${warning.message}`;
}

/** `issue` is about the value at `unset`'s path or something inside it. */
function within(issue: SchemaIssue, unset: SchemaIssue): boolean {
  const prefix: ConfigPath = unset.path;
  return prefix.length <= issue.path.length && prefix.every((segment, index) => String(segment) === String(issue.path[index]));
}

/**
 * Reads, expands and validates a pipeline file. Every problem comes back as
 * `file:line:col: option.path: message`, the form editors jump to (warnings the same, with
 * `warning:` after the place; `logger`, when given, logs them too), and nothing starts:
 * the same path serves `validate`, `graph` and `run`, so they can never disagree.
 */
export function loadPipeline(file: string, env: NodeJS.ProcessEnv, options: Omit<PipelineOptions, 'locate'> = {}): LoadResult {
  try {
    const loaded = readYamlConfig(file, env);
    const unset = loaded.issues.map(loaded.toError);
    let pipeline: Pipeline;
    try {
      pipeline = Pipeline.create(loaded.data, { ...options, locate: loaded.toError });
    } catch (error) {
      if (!(error instanceof PipelineValidationError) || unset.length === 0) throw error;
      // Validation ran on "" where a variable was unset: what it says about those very
      // values only repeats the unset variable, the rest is news.
      const others = error.errors.filter((_, index) => !loaded.issues.some((issue) => within(error.issues[index], issue)));
      return { ok: false, errors: inFileOrder([...unset, ...others]).map((issue) => issue.format()) };
    }
    if (unset.length > 0) return { ok: false, errors: inFileOrder(unset).map((issue) => issue.format()) };
    const warnings = inFileOrder(pipeline.graph.warnings.map(loaded.toError));
    // `run` passes its logger, so the warnings open its log; `validate` prints them itself.
    for (const warning of warnings) options.logger?.warn({ config: formatWarning(warning) }, `config warning: ${warning.message}`);
    return { ok: true, pipeline, warnings: warnings.map(formatWarning) };
  } catch (error) {
    if (error instanceof PipelineValidationError) return { ok: false, errors: inFileOrder(error.errors).map((issue) => issue.format()) };
    if (error instanceof ConfigError) return { ok: false, errors: [error.format()] };
    const code = errnoCode(error);
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      return { ok: false, errors: [`${file}: cannot read the config file (${code})`] };
    }
    throw error;
  }
}

/** Prints load errors to stderr; the caller exits 2 (invalid config). */
export function reportLoadErrors(io: CliIo, errors: readonly string[]): void {
  io.stderr(`${errors.join('\n')}\n`);
  const count = errors.length;
  io.stderr(`${count} problem${count === 1 ? '' : 's'} found\n`);
}
