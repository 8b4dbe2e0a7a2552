import { Observable } from 'rxjs';
import { Pipeline } from '../../../src/graph/pipeline';
import { renderMermaid } from '../../../src/graph/mermaid';
import { DELIVERED } from '../../../src/core/sink';

const sink = { send: async () => DELIVERED, close: async () => undefined };

/** Validates a spec and renders it, as `sluice graph` does. */
const render = (spec: unknown): string => renderMermaid(Pipeline.create(spec).graph);

describe('renderMermaid', () => {
  it('draws sources as stadiums, transforms as boxes and sinks as cylinders, with an edge per input', () => {
    const text = render({
      sources: { logs: { type: 'stdin' }, demo: { type: 'generator' } },
      transforms: { parse: { type: 'json', inputs: ['logs', 'demo'] } },
      sinks: { screen: { type: 'console', inputs: ['parse'] }, archive: { type: 'file', inputs: ['parse'] } },
    });
    expect(text).toBe(
      [
        'flowchart LR',
        '  logs(["logs [stdin]"])',
        '  demo(["demo [generator]"])',
        '  parse["parse [json]"]',
        '  screen[("screen [console]")]',
        '  archive[("archive [file]")]',
        '  logs --> parse',
        '  demo --> parse',
        '  parse --> screen',
        '  parse --> archive',
        '',
      ].join('\n'),
    );
  });

  it('gives names Mermaid cannot take as ids (dots, dashes, keywords, leading digits) safe ids and keeps the name in the label', () => {
    const text = render({
      sources: { 'app.logs': { type: 'generator' }, end: { type: 'generator' }, '1st': { type: 'generator' } },
      sinks: { 'out-file': { type: 'blackhole', inputs: ['app.logs', 'end', '1st'] } },
    });
    const ids = [...text.matchAll(/^ {2}(\S+?)[[(]/gm)].map((match) => match[1]);
    expect(ids).toEqual(['app_logs', 'c1_end', 'c2_1st', 'out_file']);
    expect(text).toContain('c1_end(["end [generator]"])');
    expect(text).toContain('  c2_1st --> out_file\n');
  });

  it('never gives two components the same id when their names sanitise alike', () => {
    const text = render({
      sources: { 'a.b': { type: 'generator' }, a_b: { type: 'generator' } },
      sinks: { out: { type: 'blackhole', inputs: ['a.b', 'a_b'] } },
    });
    expect(text).toContain('  a_b --> out\n');
    expect(text).toContain('  c1_a_b --> out\n');
  });

  it('labels TypeScript-only components as custom and escapes quotes in names', () => {
    const text = render({
      sources: { 'say "hi"': { source: () => new Observable() } },
      sinks: { out: { sink, inputs: ['say "hi"'] } },
    });
    expect(text).toContain('say__hi_(["say #quot;hi#quot; [custom]"])');
    expect(text).toContain('out[("out [custom]")]');
  });
});
