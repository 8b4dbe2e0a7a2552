import { list, oneOf, optional, string } from '../config/schema';
import { defineTransform } from '../components/define';
import { redact, type RedactOptions } from '../../operators/transform/redact';
import { BUILTIN_PATTERN_NAMES } from '../../operators/transform/redact-patterns';
import { configProblems } from '../../operators/transform/field-paths';

const options = {
  builtins: list(oneOf(BUILTIN_PATTERN_NAMES, { description: 'A built-in detector.' }), {
    description: 'Built-in detectors: `email`, `ipv4`, `ipv6`, `credit_card` (13–19 digits, optionally grouped by spaces or dashes, Luhn-checked), `bearer` (the token after `Bearer`), `jwt`, `aws_key` (access key ids, and a secret key after `aws_secret_access_key`). Set `[]` to use only `patterns`.',
    default: [...BUILTIN_PATTERN_NAMES],
    example: ['email', 'credit_card'],
  }),
  patterns: list(string({ description: 'A JavaScript regular expression.' }), {
    description: 'Further secrets as JavaScript regular expressions, tried before the built-ins (named groups allowed; numbered back-references are not).',
    default: [],
    example: ['session=[0-9a-f]{32}'],
  }),
  fields: optional(list(string({ description: 'A dotted path.' }), { description: 'The fields to redact (strings nested inside them included); by default every string field of the event, nested ones included.', example: ['message', 'http.headers'] })),
  mode: oneOf(['mask', 'hash'] as const, {
    description: '`mask`: replace each secret with `mask`; `hash`: with its HMAC-SHA256 under `key` (43 base64url characters), so equal values stay correlatable without being readable.',
    default: 'mask',
    example: 'hash',
  }),
  mask: string({ description: 'The replacement text in `mask` mode.', default: '[REDACTED]', example: '***' }),
  key: optional(string({ description: 'The HMAC key, required in `hash` mode. Take it from the environment (`${REDACT_KEY}`), not the file.', example: '${REDACT_KEY}' })),
};

const operatorOptions = (config: { builtins: RedactOptions['builtins']; patterns: string[]; fields?: string[]; mode: 'mask' | 'hash'; mask: string; key?: string }): RedactOptions => ({
  builtins: config.builtins,
  patterns: config.patterns,
  fields: config.fields,
  mode: config.mode,
  mask: config.mask,
  key: config.key,
});

/** The `redact` transform: masks or hashes secrets and personal data in string fields. */
export const redactTransform = defineTransform({
  type: 'redact',
  summary: 'Masks or hashes (keyed HMAC) e-mails, IPs, card numbers, tokens, AWS keys and custom patterns in string fields.',
  options,
  example: { builtins: ['email', 'credit_card'] },
  check: (config) => configProblems(() => redact(operatorOptions(config))),
  create(config, ctx) {
    return redact(operatorOptions(config), ctx.hooks);
  },
});
