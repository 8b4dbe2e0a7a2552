import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { JsonValue } from '../core/event';
import { ConfigError } from '../core/errors';
import { boolean, duration, integer, IssueCollector, json, list, object, optional, record, string, type ConfigPath, type InferOut, type Option } from '../config/schema';
import { readYamlConfig } from '../config/yaml';
import type { Condition } from '../../operators/transform/conditions';
import type { EventLike } from './event-like';

const conditions = (description: string) =>
  optional(list(json({ description: 'A condition: `{ field, equals | not_equals | in | matches | exists | gt | gte | lt | lte }`.' }), { description, example: [{ field: 'level', equals: 'error' }] }));

/** Events for one input: a list (strings are raw lines), or a fixture file of raw lines, or both. */
const inputOption: Option<{ fixture?: string; events: EventLike[] }, unknown> = {
  doc: { type: 'events | { fixture, events }', description: 'Events to feed: a list (a string is a raw line, an object an event), or `{ fixture: FILE, events: [...] }`.', required: true },
  parse(value, path, issues) {
    if (Array.isArray(value)) return { events: value as EventLike[] };
    const parsed = object(
      {
        fixture: optional(string({ description: 'A file of raw lines, one event each (relative to the test file).', example: 'fixtures/access.log' })),
        events: optional(list(json({ description: 'An event, or a raw line.' }), { description: 'Events fed after the fixture lines.' })),
      },
      { description: 'An input feed.' },
    ).parse(value, path, issues);
    return parsed && { fixture: parsed.fixture, events: (parsed.events ?? []) as EventLike[] };
  },
};

const outputShape = {
  events: optional(list(json({ description: 'An event.' }), { description: 'Exactly these events, in order (compared as JSON, less `ignore_fields`).', example: [{ message: 'hello', level: 'info' }] })),
  ignore_fields: list(string({ description: 'A dotted field path.' }), { description: 'Fields left out of the `events` comparison (volatile values such as a receive timestamp).', default: [], example: ['timestamp'] }),
  conditions: conditions('Conditions every event of the output must meet (the language of the `filter` transform).'),
  count: optional(integer({ description: 'How many events the output must receive.', example: 2, min: 0 })),
  none: optional(boolean({ description: '`true`: the output must receive nothing.', example: true })),
};

const scriptShape = {
  fail_next: integer({ description: 'Fail the next N sends whole (an outage).', default: 0, min: 0, example: 3 }),
  fail_events: conditions('Fail every event meeting one of these conditions (a poison event).'),
  fail_times: optional(integer({ description: 'With `fail_events`: fail a matching event only this many times in all.', min: 1, example: 2 })),
  retryable: optional(boolean({ description: 'Whether the scripted failures are retryable; default: outages yes, event failures no.', example: true })),
  respond_after: duration({ description: 'Answer every send after this long (virtual time).', default: 0, min: 0, example: '2s' }),
};

const caseShape = {
  name: string({ description: 'What the case shows, as a statement.', example: 'keeps warnings and errors' }),
  inputs: record(inputOption, { description: 'Events fed into sources by name at time 0.', default: {} }),
  steps: list(
    object(
      {
        at: duration({ description: 'When, in virtual time from the start.', example: '5s', min: 0 }),
        inputs: record(inputOption, { description: 'Events fed into sources by name at that time.' }),
      },
      { description: 'A later feed.' },
    ),
    { description: 'Feeds at later virtual times (batch timeouts, windows, backoff fire in between).', default: [] },
  ),
  end_at: optional(duration({ description: 'When every input ends, in virtual time; by default right after the last feed.', example: '1m', min: 0 })),
  sinks: record(object(scriptShape, { description: 'How this sink answers.' }), { description: 'Scripted answers of sinks by name (the others deliver).', default: {} }),
  outputs: record(object(outputShape, { description: 'What this sink must receive.' }), { description: 'Expectations on sinks by name.', default: {} }),
  dropped: record(integer({ description: 'Events.', min: 0 }), { description: 'Events each component may drop on purpose (filter, sampling); any other drop fails the case.', default: {} }),
  dead_lettered: record(integer({ description: 'Events.', min: 0 }), { description: 'Events each sink may dead-letter; any other fails the case.', default: {} }),
  failed: record(integer({ description: 'Batches.', min: 0 }), { description: 'Batches each source may see fail for good; any other fails the case.', default: {} }),
};

const fileShape = {
  pipeline: string({ description: 'The pipeline YAML under test, relative to the test file.', example: '../errors-only.yaml' }),
  env: record(string({ description: 'A value.' }), { description: 'Variables for `${VAR}` in the pipeline; the process environment is not read, so results do not depend on the machine.', default: {} }),
  tests: list(object(caseShape, { description: 'One test case.' }), { description: 'The cases.', minItems: 1 }),
};

/** The schema of a test file, for the docs and for validation. */
export const testFileSchema = object(fileShape, { description: 'A `sluice test` file: a pipeline, and cases of events in and expectations out.' });

/** One case of a test file, validated. */
export type TestCase = InferOut<typeof caseShape>;
/** One output expectation, validated. */
export type OutputExpectation = InferOut<typeof outputShape>;
/** One scripted sink, validated. */
export type SinkScript = InferOut<typeof scriptShape>;

/** A loaded test file: its cases, the pipeline's path and what can locate a problem in it. */
export interface TestFile {
  readonly file: string;
  readonly pipeline: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cases: readonly TestCase[];
  /** `file:line:col` of a path in the test file (for failures about an expectation). */
  locate(path: ConfigPath): string;
  /** Reads a fixture named in the file: its lines, each a raw line event. */
  fixtureLines(fixture: string): string[];
}

/** Reads and validates a test file; every problem comes back at once as `file:line:col: path: message`. */
export function loadTestFile(file: string): { ok: true; test: TestFile } | { ok: false; errors: string[] } {
  let loaded;
  try {
    loaded = readYamlConfig(file, {});
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, errors: [error.format()] };
    return { ok: false, errors: [`${file}: cannot read the test file (${(error as Error).message})`] };
  }
  const issues = new IssueCollector();
  const parsed = testFileSchema.parse(loaded.data, [], issues);
  if (issues.issues.length > 0 || !parsed) return { ok: false, errors: issues.issues.map((issue) => loaded.toError(issue).format()) };
  const base = dirname(resolve(file));
  const locate = (path: ConfigPath): string => {
    const at = loaded.locate(path);
    return at ? `${file}:${at.line}:${at.column}` : file;
  };
  return {
    ok: true,
    test: {
      file,
      pipeline: resolve(base, parsed.pipeline),
      env: parsed.env,
      cases: parsed.tests,
      locate,
      fixtureLines: (fixture) => readFileSync(resolve(base, fixture), 'utf8').split('\n').filter((line, index, lines) => line !== '' || index < lines.length - 1),
    },
  };
}

/** A condition as the kit's condition compiler takes it. */
export const asCondition = (value: JsonValue): Condition => value as unknown as Condition;
