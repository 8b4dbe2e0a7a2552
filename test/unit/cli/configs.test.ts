import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadPipeline } from '../../../src/cli/load';

const CONFIG_DIR = join(__dirname, '../../../config');

/** Every pipeline YAML file under config/, at any depth (`*.test.yaml` files are `sluice test` cases, not pipelines). */
function configFiles(): string[] {
  return readdirSync(CONFIG_DIR, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.ya?ml$/.test(name) && !/\.test\.ya?ml$/.test(name))
    .map((name) => join(CONFIG_DIR, name))
    .sort();
}

describe('the shipped configs', () => {
  const files = configFiles();

  it('include the embedded default and at least two examples', () => {
    const names = files.map((file) => relative(CONFIG_DIR, file));
    expect(names).toContain('default.yaml');
    expect(names.filter((name) => name.startsWith('examples/')).length).toBeGreaterThanOrEqual(2);
  });

  it('give every example a `sluice test` file in config/examples/tests (CI runs them)', () => {
    const examples = readdirSync(join(CONFIG_DIR, 'examples')).filter((name) => /\.ya?ml$/.test(name));
    const tests = new Set(readdirSync(join(CONFIG_DIR, 'examples', 'tests')));
    expect(examples.filter((name) => !tests.has(name.replace(/\.ya?ml$/, '.test.yaml')))).toEqual([]);
  });

  it.each(files.map((file) => [relative(CONFIG_DIR, file), file]))('%s validates with an empty environment', (_name, file) => {
    const result = loadPipeline(file, {});
    expect(result.ok ? [] : result.errors).toEqual([]);
  });

  it.each(files.map((file) => [relative(CONFIG_DIR, file), file]))('%s validates without warnings: every sink batch can fill', (_name, file) => {
    const result = loadPipeline(file, {});
    expect(result.ok ? result.warnings : []).toEqual([]);
  });

  it('default.yaml needs no external service: stdin, a gentle generator and HTTP/gRPC ingest on localhost, written to hourly files, metrics on 127.0.0.1:9598', () => {
    const result = loadPipeline(join(CONFIG_DIR, 'default.yaml'), {});
    if (!result.ok) throw new Error(result.errors.join('\n'));
    const { nodes, settings } = result.pipeline.graph;
    const types = [...nodes.values()].map((node) => `${node.kind}:${node.type}`).sort();
    expect(types).toEqual(['sink:file', 'source:generator', 'source:grpc', 'source:http', 'source:stdin', 'transform:enrich', 'transform:json']);
    // Listening on localhost only: nothing is exposed until the user sets an address and keys.
    expect([...nodes.values()].find((node) => node.type === 'http')?.config).toMatchObject({ address: '127.0.0.1:8080' });
    expect([...nodes.values()].find((node) => node.type === 'grpc')?.config).toMatchObject({ address: '127.0.0.1:4317' });
    expect(settings.api).toEqual({ enabled: true, address: '127.0.0.1:9598' });
    const generator = [...nodes.values()].find((node) => node.type === 'generator');
    expect(generator?.config).toMatchObject({ count: 0, rate: 1, format: 'json' });
    const file = [...nodes.values()].find((node) => node.type === 'file');
    expect(file?.config.path).toBe('data/logs/%Y-%m-%d/%H.ndjson');
  });
});
