import { AckError, ConfigError, DeliveryError, toError } from '../../../src/core/errors';

describe('errors', () => {
  it('names AckError so it stands out in logs', () => {
    const error = new AckError('settled twice');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('AckError');
  });

  it('formats a ConfigError as file:line:col: message when located', () => {
    const error = new ConfigError('unknown option "topik"', { file: 'sluice.yaml', line: 12, column: 5, path: 'sinks.out.topik' });
    expect(error.format()).toBe('sluice.yaml:12:5: unknown option "topik"');
  });

  it('formats a ConfigError with only what is known of its location', () => {
    expect(new ConfigError('bad', { file: 'sluice.yaml' }).format()).toBe('sluice.yaml: bad');
    expect(new ConfigError('bad', { path: 'sources.in' }).format()).toBe('bad');
    expect(new ConfigError('bad').format()).toBe('bad');
  });

  it('keeps whether a DeliveryError is retryable, and its cause', () => {
    const cause = new Error('ECONNRESET');
    const error = new DeliveryError('send failed', true, { cause });
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
    expect(error.name).toBe('DeliveryError');
  });

  it('passes Errors through toError and wraps anything else', () => {
    const error = new Error('x');
    expect(toError(error)).toBe(error);
    expect(toError('boom')).toEqual(new Error('boom'));
    expect(toError(42).message).toBe('42');
  });
});
