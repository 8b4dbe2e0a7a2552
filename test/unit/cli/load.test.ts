import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPipeline } from '../../../src/cli/load';
import { readYamlConfig } from '../../../src/config/yaml';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sluice-load-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function errorsOf(text: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  const file = join(dir, 'p.yaml');
  writeFileSync(file, text);
  const result = loadPipeline(file, env);
  if (result.ok) throw new Error('expected the config to be refused');
  return result.errors.map((error) => error.replace(`${file}:`, ''));
}

const UNSET_AND_MORE = `api:
  address: \${API_ADDRESS}
sources:
  app:
    type: stdin
    max_in_flight_events: \${CREDIT}
transforms:
  parse:
    type: json
    inputs: [ap]
    feild: message
sinks:
  out:
    type: file
    inputs: [parse]
    path: \${OUT_DIR}/out.ndjson
`;

describe('loadPipeline', () => {
  // Regression (issue 14): the first unset variable was thrown, hiding every other problem.
  it('reports every unset variable together with every other problem, in file order', () => {
    expect(errorsOf(UNSET_AND_MORE)).toEqual([
      '2:3: api.address: environment variable API_ADDRESS is not set (write ${API_ADDRESS:-default} to give a default)',
      '4:3: sources.app: source "app" feeds nothing: name it in some component\'s inputs',
      '6:5: sources.app.max_in_flight_events: environment variable CREDIT is not set (write ${CREDIT:-default} to give a default)',
      '10:14: transforms.parse.inputs.0: unknown input "ap" (did you mean "app"?); inputs can name sources and transforms: app',
      '11:5: transforms.parse.feild: unknown option "feild" (did you mean "field"?); known options: fan_out, field, target, drop_field, error_tag, max_depth, type, inputs',
      '16:5: sinks.out.path: environment variable OUT_DIR is not set (write ${OUT_DIR:-default} to give a default)',
    ]);
  });

  it('does not repeat an unset variable as the invalid empty value it left behind', () => {
    // "" is not a host:port, but the reader needs to hear only that API_ADDRESS is unset.
    const errors = errorsOf('api:\n  address: ${API_ADDRESS}\nsources:\n  a: { type: stdin }\nsinks:\n  b: { type: console, inputs: [a] }\n');
    expect(errors).toEqual(['2:3: api.address: environment variable API_ADDRESS is not set (write ${API_ADDRESS:-default} to give a default)']);
  });

  it('refuses a config whose only problem is an unset variable', () => {
    const errors = errorsOf('sources:\n  a: { type: stdin }\nsinks:\n  b: { type: file, inputs: [a], path: "${OUT}/x.ndjson" }\n');
    expect(errors).toEqual([expect.stringMatching(/^4:33: sinks\.b\.path: environment variable OUT is not set/)]);
  });

  it('loads the same config once the variables are set', () => {
    const file = join(dir, 'p.yaml');
    writeFileSync(file, UNSET_AND_MORE.replace('[ap]', '[app]').replace('    feild: message\n', ''));
    const result = loadPipeline(file, { API_ADDRESS: '127.0.0.1:0', CREDIT: '500', OUT_DIR: dir });
    expect(result.ok ? result.pipeline.graph.nodes.get('app')?.config.max_in_flight_events : result.errors).toBe(500);
  });
});

describe('readYamlConfig', () => {
  it('returns unset variables as issues instead of throwing', () => {
    const loaded = readYamlConfig('v.yaml', {}, 'a: ${ONE}\nb: "${TWO}/x"\nc: ${THREE:-3}\n');
    expect(loaded.issues.map((issue) => issue.path)).toEqual([['a'], ['b']]);
    expect(loaded.data).toEqual({ a: null, b: '/x', c: 3 }); // a whole-value variable is re-typed: "" reads as null
  });
});
