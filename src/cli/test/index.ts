import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runTestFile, type FileResult } from '../../testing/test-run';
import type { CliIo } from '../load';
import { junitReport, textReport, totals } from './report';

export const TEST_USAGE = `Usage: sluice test [FILES|DIRS...] [options]

Runs declarative pipeline tests (*.test.yaml): each names a pipeline, feeds events into its
sources by name and checks what its sinks receive, in virtual time. No listener is started
and no external sink is contacted: sources and sinks are swapped for in-memory ones, the
rest of the graph (transforms, batching, buffers, retry, breakers, dead letters) is real.
A directory is searched for *.test.yaml and *.test.yml files (default: the current one).

Options:
      --reporter NAME  text (default) or junit (JUnit XML, for CI)
  -o, --output FILE    Write the report to FILE instead of stdout (the text summary still prints)
  -h, --help           Show this help

Exit codes: 0 every case passed, 1 a case failed, 2 a test file or pipeline is invalid, or usage.
`;

/** Directories never searched for test files. */
const SKIPPED = new Set(['node_modules', 'dist', '.git', 'data', 'coverage']);
const TEST_FILE = /\.test\.ya?ml$/;

/** The test files under `path` (itself when it is a file), sorted, so runs are reproducible. */
function discover(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const found: string[] = [];
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory() && !SKIPPED.has(entry.name)) found.push(...discover(child));
    else if (entry.isFile() && TEST_FILE.test(entry.name)) found.push(child);
  }
  return found.sort();
}

/**
 * `sluice test [FILES|DIRS]`: runs every case of every test file found and prints a report
 * (`--reporter junit` for CI); exits 1 when a case failed, 2 when a file could not run.
 */
export async function testCommand(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { reporter: { type: 'string', default: 'text' }, output: { type: 'string', short: 'o' }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    io.stderr(`sluice test: ${(error as Error).message}\nRun "sluice test --help" for usage.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(TEST_USAGE);
    return 0;
  }
  if (values.reporter !== 'text' && values.reporter !== 'junit') {
    io.stderr(`sluice test: --reporter must be text or junit; got "${values.reporter}"\n`);
    return 2;
  }
  const files: string[] = [];
  for (const path of positionals.length > 0 ? positionals : ['.']) {
    try {
      files.push(...discover(path));
    } catch {
      io.stderr(`sluice test: ${path}: no such file or directory\n`);
      return 2;
    }
  }
  if (files.length === 0) {
    io.stderr(`sluice test: no *.test.yaml files found under ${positionals.join(', ') || '.'}\n`);
    return 2;
  }
  const results: FileResult[] = [];
  for (const file of files) results.push(await runTestFile(file));
  const text = textReport(results);
  const report = values.reporter === 'junit' ? junitReport(results) : text;
  if (values.output) {
    writeFileSync(values.output, report);
    if (values.reporter === 'junit') io.stdout(text);
  } else {
    io.stdout(report);
  }
  const { failed, broken } = totals(results);
  return broken > 0 ? 2 : failed > 0 ? 1 : 0;
}
