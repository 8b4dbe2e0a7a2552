import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricValue } from '../../../helpers/context';
import { numbered, numberedLines, sleep, Tail, tmpDir } from './tail-harness';
import { until } from '../../../helpers/async';

const JAVA_TRACE = [
  '2026-12-03 10:00:00 ERROR request failed',
  'java.lang.IllegalStateException: boom',
  '\tat com.example.Service.handle(Service.java:42)',
  '\tat com.example.Server.run(Server.java:7)',
  'Caused by: java.io.IOException: disk',
  '\t... 2 more',
];

// Real files and real timers on a shared machine: generous bounds, the tests wait for conditions, not for time.
jest.setTimeout(60_000);

describe('file source: lines, multi-line events and metadata', () => {
  afterEach(() => Tail.closeAll());

  it('groups a Java stack trace into one event with the multiline option, and its checkpoint covers all its lines', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    const text = `${JAVA_TRACE.join('\n')}\n2026-12-03 10:00:01 INFO next\n`;
    writeFileSync(log, text);
    const tail = new Tail({ include: [log], multiline: { mode: 'start_pattern', pattern: '^\\d{4}-\\d{2}-\\d{2} ', flush_timeout: 100 } });
    const messages = await tail.waitFor(2);
    expect(messages).toEqual([JAVA_TRACE.join('\n'), '2026-12-03 10:00:01 INFO next']);
    expect(tail.lines.map((line) => line.offset)).toEqual([0, text.indexOf('2026-12-03 10:00:01')]);
    await tail.stop();
    const { savedPositions } = await import('./tail-harness');
    expect(Object.values(savedPositions(tail.dataDir))).toEqual([text.length]);
  });

  it('holds a trace until its flush_timeout, and a stop before it leaves the checkpoint at the trace start (read again, whole)', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, 'plain line\n');
    const first = new Tail({ include: [log], multiline: { mode: 'continuation_whitespace', flush_timeout: 60_000 } });
    await first.waitFor(1);
    appendFileSync(log, `${JAVA_TRACE.slice(1).join('\n')}\n`);
    // "Caused by" starts the last group, which closes the one before it; the last is held.
    expect(await first.waitFor(2)).toEqual(['plain line', JAVA_TRACE.slice(1, 4).join('\n')]);
    await sleep(200);
    expect(first.lines).toHaveLength(2);
    await first.stop();
    const second = new Tail({ include: [log], multiline: { mode: 'continuation_whitespace', flush_timeout: 100 } }, { dataDir: first.dataDir });
    expect(await second.waitFor(1)).toEqual([JAVA_TRACE.slice(4).join('\n')]);
    await sleep(150);
    expect(second.lines).toHaveLength(1);
    await second.stop();
  });

  it('bounds a multi-line event by max_lines', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, `start\n${'  more\n'.repeat(9)}`);
    const tail = new Tail({ include: [log], multiline: { mode: 'continuation_whitespace', max_lines: 4, flush_timeout: 50 } });
    const messages = await tail.waitFor(3);
    expect(messages.map((message) => message.split('\n').length)).toEqual([4, 4, 2]);
  });

  it('truncates a line over max_line_bytes on a character boundary, tags and counts it', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, `short\n${'é'.repeat(100)}\nafter\n`);
    const tail = new Tail({ include: [log], max_line_bytes: 51 });
    await tail.waitFor(3);
    expect(tail.messages()).toEqual(['short', 'é'.repeat(25), 'after']);
    expect(tail.lines[1].event.tags).toEqual(['truncated']);
    expect(await metricValue(tail.ctx.pipelineMetrics, 'sluice_component_errors_total', { error_type: 'line_truncated' })).toBe(1);
  });

  it('drops a line over max_line_bytes with line_too_long: drop, counting it, and moves the checkpoint past it', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    const text = `short\n${'x'.repeat(10_000)}\nafter\n`;
    writeFileSync(log, text);
    const tail = new Tail({ include: [log], max_line_bytes: 100, line_too_long: 'drop', read_buffer: 1024 });
    await tail.waitFor(2);
    await sleep(100);
    expect(tail.messages()).toEqual(['short', 'after']);
    expect(await metricValue(tail.ctx.pipelineMetrics, 'sluice_component_discarded_events_total', { reason: 'line_too_long' })).toBe(1);
    await tail.stop();
    const { savedPositions } = await import('./tail-harness');
    expect(Object.values(savedPositions(tail.dataDir))).toEqual([text.length]);
  });

  it('emits a final line without a newline only after eof_timeout, and only once the file stopped growing', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, 'done\npart');
    const tail = new Tail({ include: [log], eof_timeout: 1500 });
    await tail.waitFor(1);
    // Keep growing the partial line for longer than eof_timeout: it must not be cut.
    for (let i = 0; i < 6; i++) {
      await sleep(300);
      appendFileSync(log, 'ial');
    }
    expect(tail.messages()).toEqual(['done']);
    const grownAt = Date.now();
    await tail.waitFor(2);
    expect(Date.now() - grownAt).toBeGreaterThanOrEqual(1000);
    expect(tail.messages()).toEqual(['done', `part${'ial'.repeat(6)}`]);
  });

  it('keeps UTF-8 characters whole when a chunk border splits them', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    const line = 'ü€😀'.repeat(400);
    writeFileSync(log, `${line}\n${line}\n`);
    const tail = new Tail({ include: [log], read_buffer: 1024 });
    expect(await tail.waitFor(2)).toEqual([line, line]);
  });

  it('puts path, offset and inode beside each event, and the path into path_field when set', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, 'first\nsecond\n');
    const tail = new Tail({ include: [log], path_field: 'file' });
    await tail.waitFor(2);
    const { statSync } = await import('node:fs');
    const inode = statSync(log).ino;
    expect(tail.lines.map(({ path, offset }) => ({ path, offset }))).toEqual([{ path: log, offset: 0 }, { path: log, offset: 6 }]);
    expect(tail.lines[0].inode).toBe(inode);
    expect(tail.lines[0].event.file).toBe(log);
    expect(tail.batches[0].meta).toEqual({ source: 'test', input: 'file', path: log, inode });
    expect(JSON.stringify(tail.lines[0].event)).not.toContain('offset');
  });

  it('stops reading while credit is exhausted and resumes when acks return it', async () => {
    const dir = tmpDir();
    const log = join(dir, 'app.log');
    writeFileSync(log, numbered('a', 0, 5000));
    const tail = new Tail({ include: [log], read_buffer: 1024 }, { ack: false, maxEvents: 500 });
    await tail.waitFor(500);
    await sleep(100);
    expect(tail.lines.length).toBeLessThan(700);
    const resolveAll = (): void => tail.batches.forEach((batch) => batch.ack.settled || batch.ack.resolve());
    await until(() => {
      resolveAll();
      return tail.lines.length >= 5000;
    }, 5_000);
    expect(tail.messages()).toEqual(numberedLines('a', 0, 5000));
  });
});
