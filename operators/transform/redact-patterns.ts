import { isIPv6 } from 'node:net';

/**
 * One thing `redact` recognises: a regex source, plus an optional check of each match (a
 * regex finds candidates cheaply; the check rejects look-alikes, such as digit runs that fail
 * Luhn). `replace` lets a pattern redact only parts of its match (the card spans of a run).
 */
export interface RedactPattern {
  readonly source: string;
  /**
   * A cheap test a string must pass to be worth scanning (an `@` for e-mails): most strings
   * of a log hold no secret, and on them a regex pass costs far more than an `indexOf`.
   */
  readonly hint?: (text: string) => boolean;
  readonly accept?: (match: string) => boolean;
  readonly replace?: (match: string, redact: (secret: string) => string) => string;
}

/** True when the digits pass the Luhn checksum that every payment card number carries. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let digit = digits.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return false;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return digits.length > 0 && sum % 10 === 0;
}

const CARD_MIN_DIGITS = 13;
const CARD_MAX_DIGITS = 19;

/**
 * Redacts the card numbers inside a run of digit groups (`12 4111 1111 1111 1111`, groups
 * joined by single spaces or dashes): every span of whole groups holding 13–19 digits that
 * passes Luhn is redacted, so a card stays found when other digits sit next to it. A group is
 * never split: a 25-digit id holds no card. Overlapping spans are redacted as one.
 */
export function redactCardRun(run: string, redact: (secret: string) => string): string {
  const groups = run.split(/[ -]/);
  const separators = run.match(/[ -]/g) ?? [];
  const covered = new Array<boolean>(groups.length).fill(false);
  let found = false;
  // Luhn counts from the rightmost digit, so for each end the sum grows leftwards without
  // recomputing: each span costs its new digits only, and a hostile run stays linear.
  for (let end = 0; end < groups.length; end++) {
    let sum = 0;
    let count = 0;
    for (let start = end; start >= 0; start--) {
      const group = groups[start];
      if (count + group.length > CARD_MAX_DIGITS) break;
      for (let i = group.length - 1; i >= 0; i--) {
        let digit = group.charCodeAt(i) - 48;
        if (count % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
        sum += digit;
        count++;
      }
      if (count >= CARD_MIN_DIGITS && sum % 10 === 0) {
        for (let k = start; k <= end; k++) covered[k] = true;
        found = true;
      }
    }
  }
  if (!found) return run;
  let out = '';
  for (let i = 0; i < groups.length; ) {
    if (!covered[i]) {
      out += groups[i] + (separators[i] ?? '');
      i++;
      continue;
    }
    let secret = groups[i];
    let j = i + 1;
    for (; j < groups.length && covered[j]; j++) secret += separators[j - 1] + groups[j];
    out += redact(secret) + (separators[j - 1] ?? '');
    i = j;
  }
  return out;
}

/** True when `text` holds a run of at least 13 digits, single spaces or dashes allowed between them: the shape of a card. */
function hasCardRun(text: string): boolean {
  let digits = 0;
  let separated = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 48 && code <= 57) {
      if (++digits >= CARD_MIN_DIGITS) return true;
      separated = false;
    } else if ((code === 32 || code === 45) && digits > 0 && !separated) separated = true;
    else {
      digits = 0;
      separated = false;
    }
  }
  return false;
}

/** True when `text` could hold an IPv6 address: a `::`, or the 6 colons of the full form (times like 12:30:45 have 2). */
function hasIpv6Shape(text: string): boolean {
  if (text.includes('::')) return true;
  let colons = 0;
  for (let at = text.indexOf(':'); at !== -1; at = text.indexOf(':', at + 1)) if (++colons >= 6) return true;
  return false;
}

const AWS_HINT = /A(?:KIA|SIA|BIA|CCA|3T)|aws_secret_access_key/;
const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** The built-in patterns by name, each run as a `g` regex pass of its own when its hint matches. */
export const BUILTIN_PATTERNS = {
  // A bearer token after the scheme word, as in an `Authorization` header: the scheme stays readable.
  // The whitespace is bounded so the look-behind stays cheap on long blank runs.
  bearer: { source: '(?<=\\b[Bb]earer\\s{1,8})[A-Za-z0-9\\-._~+/]+=*', hint: (text: string) => text.includes('earer') },
  jwt: { source: '\\beyJ[A-Za-z0-9_-]+\\.eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*', hint: (text: string) => text.includes('eyJ') },
  // AWS access key ids (long-term AKIA, temporary ASIA, …) and a secret key written after its usual name.
  aws_key: { source: '\\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\\b|(?<=aws_secret_access_key["\']?\\s{0,4}[:=]\\s{0,4}["\']?)[A-Za-z0-9/+=]{40}', hint: (text: string) => AWS_HINT.test(text) },
  // Starts only where a run of local-part characters starts: trying every position inside a long run would be quadratic.
  email: { source: "(?<![A-Za-z0-9.!#$%&'*+/=?^_`{|}~-])[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+", hint: (text: string) => text.includes('@') },
  credit_card: { source: '(?<!\\d)\\d(?:[ -]?\\d)*', accept: (run: string) => run.length >= CARD_MIN_DIGITS, replace: redactCardRun, hint: hasCardRun },
  ipv6: {
    // Candidates are runs of hex digits and colons holding two colons; node:net decides.
    source: '(?<![\\w:])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{2,39}(?:(?<=:)\\d{1,3}(?:\\.\\d{1,3}){3})?(?![\\w:])',
    accept: (candidate: string) => isIPv6(candidate),
    hint: hasIpv6Shape,
  },
  ipv4: { source: `(?<![\\d.])${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}(?!\\.?\\d)`, hint: (text: string) => text.includes('.') },
} as const satisfies Record<string, RedactPattern>;

export type BuiltinPatternName = keyof typeof BUILTIN_PATTERNS;
export const BUILTIN_PATTERN_NAMES = Object.keys(BUILTIN_PATTERNS) as BuiltinPatternName[];
