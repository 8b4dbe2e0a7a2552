import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** One instruction of a Dockerfile, with the stage it belongs to. */
export interface Instruction {
  readonly stage: string;
  readonly op: string;
  readonly args: string;
}

/**
 * The instructions of a Dockerfile: continuation lines joined, comments and parser
 * directives dropped, each tagged with its stage (`FROM image AS name`).
 */
export function parseDockerfile(file: string): Instruction[] {
  const text = readFileSync(file, 'utf8').replace(/\\\r?\n(\s*#.*\r?\n)*/g, ' ');
  const instructions: Instruction[] = [];
  let stage = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.length === 0 || line.startsWith('#')) continue;
    const [, op, args] = /^(\S+)\s*(.*)$/.exec(line) as RegExpExecArray;
    const upper = op.toUpperCase();
    if (upper === 'FROM') stage = /\sAS\s+(\S+)/i.exec(args)?.[1] ?? String(instructions.length);
    instructions.push({ stage, op: upper, args: args.trim() });
  }
  return instructions;
}

/** `KEY=value KEY2=value2` of an ENV instruction (unquoted values, as ours are). */
export function envPairs(args: string): Record<string, string> {
  return Object.fromEntries(args.split(/\s+/).map((pair) => pair.split(/=(.*)/s).slice(0, 2) as [string, string]));
}

/** An exec-form (JSON array) argument list; shell forms are refused, they would put a shell in front of node. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw new Error(`not an exec-form array: ${args}`);
  return parsed;
}

/**
 * Carries out a COPY without Docker: from the build context or, with `--from=stage`, from
 * that stage's directory. Container paths under `workdir` map into each stage's directory.
 */
export function copy(args: string, context: string, stageDirs: ReadonlyMap<string, string>, into: string, workdir: string): void {
  const tokens = args.split(/\s+/);
  const flags = tokens.filter((token) => token.startsWith('--'));
  const paths = tokens.filter((token) => !token.startsWith('--'));
  const from = flags.find((flag) => flag.startsWith('--from='))?.slice('--from='.length);
  const destination = paths.pop() as string;
  const inside = (path: string): string => {
    if (!path.startsWith('/')) return path;
    if (!path.startsWith(`${workdir}/`)) throw new Error(`COPY path ${path} is outside WORKDIR ${workdir}`);
    return path.slice(workdir.length + 1);
  };
  const root = from === undefined ? context : stageDirs.get(from);
  if (root === undefined) throw new Error(`COPY --from=${from}: no such stage`);
  const target = join(into, inside(destination));
  for (const source of paths) {
    const into_dir = destination.endsWith('/') || paths.length > 1;
    if (into_dir) mkdirSync(target, { recursive: true });
    cpSync(join(root, inside(source)), into_dir ? join(target, basename(source)) : target, { recursive: true });
  }
}
