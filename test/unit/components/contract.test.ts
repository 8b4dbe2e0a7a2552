import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinRegistry } from '../../../src/components/builtins';
import type { ComponentDefinition } from '../../../src/components/define';
import { Pipeline } from '../../../src/graph/pipeline';
import { validateGraph } from '../../../src/graph/validate';

const registry = builtinRegistry();
const all = registry.all();
const temp = (): string => mkdtempSync(join(tmpdir(), 'sluice-contract-'));

/** Options a component needs in a test beyond its example (paths into a temp dir). */
function testOverrides(definition: ComponentDefinition, dir: string): Record<string, unknown> {
  if (definition.kind === 'source' && definition.type === 'dead_letter') return { path: join(dir, 'empty-queue') };
  if (definition.kind === 'sink' && definition.type === 'file') return { path: join(dir, 'out', '%H.ndjson') };
  if (definition.type === 'buffer') return { path: join(dir, 'buffer') };
  if (definition.type === 'dead_letter') return { path: join(dir, 'dlq') };
  return {};
}

/** What a sink names to read a transform: its id, or each of its named outputs (`route`). */
function readersOf(definition: ComponentDefinition): string[] {
  if (definition.kind !== 'transform' || definition.outputs === undefined) return ['subject'];
  return definition.outputs.names(definition.example as never).map((output) => `subject.${output}`);
}

/** A minimal graph around one component, built from its own example. */
function graphAround(definition: ComponentDefinition, dir: string): Record<string, unknown> {
  const own = { type: definition.type, ...definition.example, ...testOverrides(definition, dir) };
  const base = { data_dir: join(dir, 'data'), api: { enabled: false } };
  const generator = { type: 'generator', count: 20, batch_size: 5, format: 'json' };
  if (definition.kind === 'source') return { ...base, sources: { subject: own }, sinks: { out: { type: 'blackhole', inputs: ['subject'] } } };
  if (definition.kind === 'transform') {
    return { ...base, sources: { gen: generator }, transforms: { subject: { ...own, inputs: ['gen'] } }, sinks: { out: { type: 'blackhole', inputs: readersOf(definition) } } };
  }
  return { ...base, sources: { gen: generator }, sinks: { subject: { ...own, inputs: ['gen'] } } };
}

/** Components whose example cannot run unattended in a unit test, and why. */
const NOT_RUN: Record<string, string> = {
  'source:stdin': 'reads the test runner’s own stdin (covered end to end in test/e2e/cli-stdin.test.ts)',
  'sink:console': 'writes to the test runner’s own stdout (covered end to end in test/e2e/cli-stdin.test.ts)',
  'source:http': 'a server: runs until the pipeline is stopped (covered in test/unit/sources/http and test/e2e/http-source.test.ts)',
  'source:grpc': 'a server: runs until the pipeline is stopped (covered in test/unit/sources/grpc and test/e2e/grpc-source.test.ts)',
  'source:syslog': 'a server: runs until the pipeline is stopped (covered in test/unit/sources/syslog and test/e2e/syslog-source.test.ts)',
  'source:file': 'tails until the pipeline is stopped (covered in test/unit/sources/file and test/e2e/file-source*.test.ts)',
  'source:socket': 'a server: runs until the pipeline is stopped (covered in test/unit/sources/socket and test/e2e/socket-source.test.ts)',
  'sink:kafka': 'needs a Kafka broker (covered in test/integration/kafka-sink*.test.ts)',
  'source:kafka': 'needs a Kafka broker (covered in test/integration/kafka-source*.test.ts and test/e2e/kafka-group.test.ts)',
  'sink:elasticsearch': 'needs an Elasticsearch server (covered in test/integration/elasticsearch-sink*.test.ts)',
  'sink:s3': 'needs an S3 server (covered in test/integration/s3-sink*.test.ts)',
};

describe('the component contract', () => {
  it.each(all.map((d) => [`${d.kind} ${d.type}`, d] as const))('%s: its example validates through the real config parser', (_name, definition) => {
    expect(validateGraph(graphAround(definition, temp()), registry).issues).toEqual([]);
  });

  it.each(all.map((d) => [`${d.kind} ${d.type}`, d] as const))('%s: every option has a description, and a default unless required', (_name, definition) => {
    for (const [name, option] of Object.entries(definition.options)) {
      expect({ name, described: option.doc.description.length > 10 }).toEqual({ name, described: true });
      if (!option.doc.required && option.doc.default === undefined) expect(option.doc.type).not.toBe('');
    }
  });

  const runnable = all.filter((d) => !NOT_RUN[`${d.kind}:${d.type}`]);
  it.each(runnable.map((d) => [`${d.kind} ${d.type}`, d] as const))('%s: reports received and sent events labelled with its id, type and kind', async (_name, definition) => {
    const pipeline = Pipeline.create(graphAround(definition, temp()), { registry });
    await pipeline.run();
    for (const name of ['sluice_component_received_events_total', 'sluice_component_sent_events_total']) {
      const values = (await pipeline.metrics.registry.getSingleMetric(name)?.get())?.values ?? [];
      const own = values.filter((v) => v.labels.component_id === 'subject');
      expect(own.map((v) => v.labels)).toEqual([{ component_id: 'subject', component_type: definition.type, component_kind: definition.kind }]);
    }
    const received = (await pipeline.metrics.registry.getSingleMetric('sluice_component_received_events_total')?.get())?.values ?? [];
    const subject = received.find((v) => v.labels.component_id === 'subject')?.value ?? 0;
    if (definition.kind !== 'source' || definition.type === 'generator') expect(subject).toBeGreaterThan(0);
  });
});
