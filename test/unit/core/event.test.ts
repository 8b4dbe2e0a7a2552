import { eventMeta, setEventMeta, type LogEvent } from '../../../src/core/event';

describe('event metadata', () => {
  it('reads back what was attached beside the event', () => {
    const event: LogEvent = { message: 'x' };
    setEventMeta(event, { path: '/var/log/syslog', offset: 1024 });
    expect(eventMeta(event)).toEqual({ path: '/var/log/syslog', offset: 1024 });
  });

  it('is undefined for an event without metadata', () => {
    expect(eventMeta({ message: 'x' })).toBeUndefined();
  });

  it('is never serialised', () => {
    const event: LogEvent = { message: 'x' };
    setEventMeta(event, { partition: 3 });
    expect(JSON.stringify(event)).toBe('{"message":"x"}');
    expect(Object.keys(event)).toEqual(['message']);
  });

  it('travels with a spread copy (copy-on-write keeps it)', () => {
    const event: LogEvent = { message: 'x' };
    setEventMeta(event, { topic: 'logs' });
    expect(eventMeta({ ...event, level: 'info' })).toEqual({ topic: 'logs' });
  });

  it('can be replaced', () => {
    const event: LogEvent = { message: 'x' };
    setEventMeta(event, { offset: 1 });
    setEventMeta(event, { offset: 2 });
    expect(eventMeta(event)).toEqual({ offset: 2 });
  });
});
