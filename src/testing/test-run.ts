import { readYamlConfig } from '../config/yaml';
import type { ComponentRegistry } from '../components/registry';
import { loadPipeline } from '../cli/load';
import { runTestCase, type CaseResult } from './test-case';
import { loadTestFile } from './test-file';

/** How one test file went: problems that kept it from running, and each case's result. */
export interface FileResult {
  readonly file: string;
  /** The test file or its pipeline is invalid (`file:line:col: ...`): no case ran. */
  readonly errors: readonly string[];
  readonly cases: readonly CaseResult[];
}

/**
 * Runs every case of one `sluice test` file: the pipeline it names is loaded and validated
 * exactly as `sluice run` loads it (with the file's `env:` for `${VAR}`), then each case runs
 * it in virtual time with in-memory inputs and scripted, capturing sinks.
 */
export async function runTestFile(file: string, registry?: ComponentRegistry): Promise<FileResult> {
  const loaded = loadTestFile(file);
  if (!loaded.ok) return { file, errors: loaded.errors, cases: [] };
  const { test } = loaded;
  const env = { ...test.env };
  const checked = loadPipeline(test.pipeline, env, { registry });
  if (!checked.ok) return { file, errors: checked.errors.map((error) => `${error} (the pipeline of ${file})`), cases: [] };
  const cases: CaseResult[] = [];
  for (let index = 0; index < test.cases.length; index += 1) {
    // A fresh copy per case: a case must not see what another one did to the spec.
    const pipeline = readYamlConfig(test.pipeline, env).data;
    cases.push(await runTestCase(test, index, pipeline, registry));
  }
  return { file, errors: [], cases };
}
