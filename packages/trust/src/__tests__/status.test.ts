import {
  parseAssertableStatus,
  parseStatus,
  STATUS_CODES,
  statusForCode,
  TRUST_STATUSES,
} from '../status.ts';

describe('statuses', () => {
  it('uses the vcn-compatible codes', () => {
    expect(STATUS_CODES).toEqual({
      trusted: 0,
      untrusted: 1,
      unknown: 2,
      unsupported: 3,
      revoked: 4,
    });
    for (const s of TRUST_STATUSES) expect(statusForCode(STATUS_CODES[s])).toBe(s);
    expect(statusForCode(9)).toBeUndefined();
  });

  it.each([
    ['trusted', 'trusted'],
    ['UNTRUSTED', 'untrusted'],
    [' unknown ', 'unknown'],
    ['unsupported', 'unsupported'],
    ['eol', 'unsupported'],
    ['EOL', 'unsupported'],
    ['revoked', 'revoked'],
  ])('parses %j as %s', (text, status) => {
    expect(parseStatus(text)).toBe(status);
  });

  it.each(['', 'trust', 'ok', 'approved'])('refuses %j', (text) => {
    expect(() => parseStatus(text)).toThrow(
      expect.objectContaining({ code: 'STATUS_INVALID', category: 'input' }),
    );
  });

  it('only lets parties assert trusted, untrusted and unsupported', () => {
    expect(parseAssertableStatus('eol')).toBe('unsupported');
    expect(() => parseAssertableStatus('revoked')).toThrow(/cannot be asserted/);
    expect(() => parseAssertableStatus('unknown')).toThrow(/cannot be asserted/);
  });
});
