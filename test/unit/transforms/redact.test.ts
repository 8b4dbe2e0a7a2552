import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { lastValueFrom, of, toArray } from 'rxjs';
import { redact, type RedactOptions } from '../../../operators/transform/redact';
import { luhnValid } from '../../../operators/transform/redact-patterns';
import { redactTransform } from '../../../src/transforms/redact';
import { createBatch } from '../../../src/core/batch';
import { ConfigError } from '../../../src/core/errors';
import type { JsonValue, LogEvent } from '../../../src/core/event';
import { configIssues, parseConfig, testContext } from '../../helpers/context';

async function redacted(event: LogEvent, options: RedactOptions = {}): Promise<LogEvent> {
  const [out] = await lastValueFrom(of(createBatch([event])).pipe(redact(options), toArray()));
  return out.events[0];
}
const text = async (message: string, options: RedactOptions = {}): Promise<JsonValue | undefined> => (await redacted({ message }, options)).message;

/** Every string of a JSON value, nested ones included. */
function strings(value: JsonValue | undefined, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) strings(item, out);
  else if (value !== null && typeof value === 'object') for (const item of Object.values(value)) strings(item, out);
  return out;
}

/** The card numbers left in `text`: spans of whole digit groups (joined by single spaces or dashes) of 13–19 digits that pass Luhn. */
function cardsIn(text: string): string[] {
  const found: string[] = [];
  for (const run of text.match(/\d(?:[ -]?\d)*/g) ?? []) {
    const groups = run.split(/[ -]/);
    for (let start = 0; start < groups.length; start++) {
      let digits = '';
      for (let end = start; end < groups.length; end++) {
        digits += groups[end];
        if (digits.length > 19) break;
        if (digits.length >= 13 && luhnValid(digits)) found.push(digits);
      }
    }
  }
  return found;
}

/** An e-mail address (RFC 5322 dot-atom local part, host-name labels): what the property says is never left readable. */
const ADDRESS = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** A Luhn-valid card number of 13–19 digits, written plain or in groups of four with spaces or dashes. */
const card = fc
  .tuple(fc.integer({ min: 12, max: 18 }), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 18, maxLength: 18 }), fc.constantFrom('', ' ', '-'))
  .map(([length, digits, separator]) => {
    const body = digits.slice(0, length).join('');
    for (let check = 0; check <= 9; check++) {
      if (luhnValid(body + check)) return (body + check).replace(/(\d{4})(?=\d)/g, `$1${separator}`);
    }
    throw new Error('unreachable: one check digit always fits');
  });
const secretText = fc.tuple(fc.string(), fc.oneof(card, fc.emailAddress()), fc.string()).map(([before, secret, after]) => `${before} ${secret} ${after}`);
const eventWithSecrets = fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(secretText, fc.string(), fc.integer(), fc.array(secretText, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), secretText)), { maxKeys: 5 });

describe('redact built-ins', () => {
  it('finds Luhn-valid card numbers, plain or grouped, even beside other digits, and leaves look-alikes', async () => {
    expect(await text('card 4111111111111111 ok')).toBe('card [REDACTED] ok');
    expect(await text('card 4111-1111-1111-1111.')).toBe('card [REDACTED].');
    expect(await text('id 12 4111 1111 1111 1111 end')).toBe('id 12 [REDACTED] end');
    expect(await text('order 4111111111111112')).toBe('order 4111111111111112');
    expect(await text('trace 41111111111111111111111111')).toBe('trace 41111111111111111111111111');
  });

  it('finds e-mails, IPv4 and IPv6 addresses, bearer tokens, JWTs and AWS keys', async () => {
    expect(await text('to: Jane.Doe+x@mail.example.org,')).toBe('to: [REDACTED],');
    expect(await text('from 192.168.0.1, not 999.1.1.1 nor 1.2.3.4.5')).toBe('from [REDACTED], not 999.1.1.1 nor 1.2.3.4.5');
    expect(await text('peer [2001:db8::8a2e:370:7334]:443 at 12:30:45')).toBe('peer [[REDACTED]]:443 at 12:30:45');
    expect(await text('Authorization: Bearer abc.DEF-123_x=')).toBe('Authorization: Bearer [REDACTED]');
    expect(await text('t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl;')).toBe('t=[REDACTED];');
    expect(await text('key AKIAIOSFODNN7EXAMPLE used')).toBe('key [REDACTED] used');
    expect(await text('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe('aws_secret_access_key = [REDACTED]');
  });

  it('uses only the chosen built-ins, and user patterns first', async () => {
    expect(await text('bob@example.com 10.0.0.1', { builtins: ['ipv4'] })).toBe('bob@example.com [REDACTED]');
    expect(await text('session=0123abcd user bob@x.io', { patterns: ['session=[0-9a-f]+'], builtins: [] })).toBe('[REDACTED] user bob@x.io');
  });

  it('hashes with a keyed HMAC-SHA256, so the same value hashes the same and another key differs', async () => {
    const expected = createHmac('sha256', 'k1').update('bob@example.com').digest('base64url');
    expect(await text('a bob@example.com b bob@example.com', { mode: 'hash', key: 'k1' })).toBe(`a ${expected} b ${expected}`);
    expect(await text('bob@example.com', { mode: 'hash', key: 'k2' })).not.toBe(expected);
  });

  it('replaces a subtree nested deeper than the bound as a whole', async () => {
    let deep: JsonValue = 'bob@example.com';
    for (let i = 0; i < 300; i++) deep = { d: deep };
    const out = await redacted({ deep });
    expect(JSON.stringify(out)).not.toContain('bob@example.com');
  });

  it('never leaves a Luhn-valid card number or an e-mail unmasked in any string field (property)', async () => {
    await fc.assert(
      fc.asyncProperty(eventWithSecrets, async (event) => {
        const originals = strings(event as JsonValue);
        const emails = originals.flatMap((value) => value.match(/\S+@\S+/g) ?? []);
        const out = strings((await redacted(structuredClone(event))) as JsonValue);
        for (const value of out) {
          expect(cardsIn(value)).toEqual([]);
          for (const email of emails) if (ADDRESS.test(email)) expect(value).not.toContain(email);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('redactTransform', () => {
  it('round-trips its example config and masks', async () => {
    const config = parseConfig(redactTransform, redactTransform.example);
    const [out] = await lastValueFrom(of(createBatch([{ message: 'bob@example.com' }])).pipe(redactTransform.create(config, testContext()), toArray()));
    expect(out.events).toEqual([{ message: '[REDACTED]' }]);
  });

  it('reports at validation a hash mode without key, a bad pattern and a numbered back-reference', () => {
    const check = (input: unknown) => redactTransform.check?.(parseConfig(redactTransform, input));
    expect(check({ mode: 'hash' })).toEqual([{ path: ['key'], message: expect.stringMatching(/hash mode needs a key/) }]);
    expect(check({ patterns: ['(open'] })).toEqual([{ path: ['patterns', 0], message: expect.stringMatching(/invalid regular expression/) }]);
    expect(check({ patterns: ['(a)\\1'] })).toEqual([{ path: ['patterns', 0], message: expect.stringMatching(/back-references/) }]);
    expect(check({ patterns: ['x', 'a*'] })).toEqual([{ path: ['patterns', 1], message: expect.stringMatching(/matches the empty string/) }]);
    expect(configIssues(redactTransform, { builtins: ['phone'] })).toEqual([expect.stringMatching(/^builtins\.0: expected one of/)]);
    expect(() => redact({ builtins: [] })).toThrow(ConfigError);
  });
});
