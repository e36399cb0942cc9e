/**
 * OIDC token verification (jose): issuer, audience, expiry (with a small clock tolerance), an
 * issue time that is not in the future and a lifetime (`exp - iat`) no longer than configured, an
 * algorithm allow-list and the signature against the issuer's keys; then the issuer's rules map
 * the verified claims to an identity and a role. The first matching rule wins.
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { recordedClaims, stringClaims } from './claims.ts';
import type { OidcConfig, OidcIssuerConfig } from './config.ts';
import { AuthError } from './errors.ts';
import { compileClaimMatch } from './glob.ts';
import type { ClaimMatcher } from './glob.ts';
import { keySource } from './jwks.ts';
import type { JwksOptions } from './jwks.ts';
import { isIdentityName } from './names.ts';
import type { Principal } from './principal.ts';
import { expandTemplate, parseTemplate } from './template.ts';
import type { TemplatePart } from './template.ts';

interface CompiledRule {
  match: [claim: string, matcher: ClaimMatcher][];
  identity: TemplatePart[];
  role: string;
}

interface IssuerVerifier {
  config: OidcIssuerConfig;
  keys: JWTVerifyGetKey;
  rules: CompiledRule[];
}

export class OidcVerifier {
  readonly #issuers = new Map<string, IssuerVerifier>();
  readonly #clockTolerance: number;
  readonly #maxLifetime: number;

  constructor(oidc: OidcConfig, options: JwksOptions = {}) {
    this.#clockTolerance = oidc.clockToleranceSec;
    this.#maxLifetime = oidc.maxTokenLifetimeSec;
    for (const config of oidc.issuers) {
      this.#issuers.set(config.issuer, {
        config,
        keys: keySource(config, oidc, options),
        rules: config.rules.map((r) => ({
          match: Object.entries(r.match).map(([claim, m]): [string, ClaimMatcher] => [
            claim,
            compileClaimMatch(Array.isArray(m) ? m : [m]),
          ]),
          identity: parseTemplate(r.identity),
          role: r.role,
        })),
      });
    }
  }

  get enabled(): boolean {
    return this.#issuers.size > 0;
  }

  async verify(token: string): Promise<Principal> {
    // Unverified peeks, only to route the token to its issuer's settings and to name the problem;
    // nothing from them is trusted before jwtVerify has checked the signature.
    let alg: unknown;
    let iss: unknown;
    try {
      alg = decodeProtectedHeader(token).alg;
      iss = decodeJwt(token).iss;
    } catch (cause) {
      throw new AuthError('AUTH_TOKEN_MALFORMED', 'The bearer token is not a well-formed JWT.', {
        cause,
      });
    }
    const issuer = typeof iss === 'string' ? this.#issuers.get(iss) : undefined;
    if (issuer === undefined) {
      throw new AuthError(
        'AUTH_TOKEN_ISSUER',
        `Tokens from issuer ${JSON.stringify(iss)} are not accepted; this ledger accepts ${
          [...this.#issuers.keys()].join(', ') || 'no OIDC tokens (use an API key)'
        }.`,
      );
    }
    if (typeof alg !== 'string' || !issuer.config.algorithms.includes(alg as never)) {
      throw new AuthError(
        'AUTH_TOKEN_ALGORITHM',
        `Token algorithm ${JSON.stringify(alg)} is not allowed for ${issuer.config.issuer} (allowed: ${issuer.config.algorithms.join(', ')}).`,
      );
    }
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, issuer.keys, {
        issuer: issuer.config.issuer,
        audience: issuer.config.audience,
        algorithms: issuer.config.algorithms,
        clockTolerance: this.#clockTolerance,
        requiredClaims: ['exp', 'iat', 'iss', 'aud'],
      }));
    } catch (err) {
      throw mapJoseError(err, issuer.config);
    }
    this.#checkLifetime(payload);
    return this.#principal(issuer, stringClaims(payload));
  }

  /**
   * A token issued in the future (beyond the clock tolerance) or valid for longer than the
   * configured lifetime is refused: a leaked long-lived or pre-dated token must not serve for hours.
   */
  #checkLifetime(payload: Record<string, unknown>): void {
    const { iat, exp } = payload as { iat: number; exp: number };
    const now = Math.floor(Date.now() / 1000);
    if (iat > now + this.#clockTolerance) {
      throw new AuthError(
        'AUTH_TOKEN_NOT_YET_VALID',
        `The token was issued in the future (iat is ${iat - now} s ahead of this ledger's clock, ` +
          `tolerance ${this.#clockTolerance} s); check the clocks.`,
      );
    }
    if (exp - iat > this.#maxLifetime) {
      throw new AuthError(
        'AUTH_TOKEN_LIFETIME',
        `The token is valid for ${exp - iat} s; this ledger accepts OIDC tokens valid for at most ` +
          `${this.#maxLifetime} s (oidc.maxTokenLifetimeSec).`,
      );
    }
  }

  #principal(issuer: IssuerVerifier, claims: Record<string, string>): Principal {
    for (const rule of issuer.rules) {
      const matches = rule.match.every(([claim, matcher]) => {
        const value = Object.hasOwn(claims, claim) ? claims[claim] : undefined;
        return value !== undefined && matcher(value);
      });
      if (!matches) continue;
      const name = expandTemplate(rule.identity, claims);
      if (name === undefined || !isIdentityName(name)) continue;
      return {
        name,
        role: rule.role,
        auth: 'oidc',
        claims: recordedClaims(claims, issuer.config.claims),
      };
    }
    const who = claims.sub ?? claims.repository ?? claims.project_path ?? '(no sub)';
    throw new AuthError(
      'AUTH_NO_RULE',
      `The token of ${who} from ${issuer.config.issuer} is valid, but no rule of this ledger admits it; ` +
        'ask the ledger admin to add a rule under oidc.issuers[].rules.',
    );
  }
}

function mapJoseError(err: unknown, issuer: OidcIssuerConfig): AuthError {
  if (err instanceof AuthError) return err;
  const opts = { cause: err };
  if (err instanceof errors.JWTExpired) {
    return new AuthError(
      'AUTH_TOKEN_EXPIRED',
      'The OIDC token has expired; request a fresh one.',
      opts,
    );
  }
  if (err instanceof errors.JWTClaimValidationFailed) {
    switch (err.claim) {
      case 'iss':
        return new AuthError(
          'AUTH_TOKEN_ISSUER',
          `The token's issuer is not ${issuer.issuer}.`,
          opts,
        );
      case 'aud':
        return new AuthError(
          'AUTH_TOKEN_AUDIENCE',
          `The token is not for this ledger: its audience must be ${issuer.audience.join(' or ')}; ` +
            'request the token with that audience.',
          opts,
        );
      case 'nbf':
        return new AuthError(
          'AUTH_TOKEN_NOT_YET_VALID',
          'The token is not valid yet (nbf); check the clocks.',
          opts,
        );
      default:
        return new AuthError(
          'AUTH_TOKEN_CLAIMS',
          `The token's "${err.claim}" claim is ${err.reason}.`,
          opts,
        );
    }
  }
  if (err instanceof errors.JOSEAlgNotAllowed || err instanceof errors.JOSENotSupported) {
    return new AuthError(
      'AUTH_TOKEN_ALGORITHM',
      `The token's algorithm is not allowed for ${issuer.issuer}.`,
      opts,
    );
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) {
    return new AuthError(
      'AUTH_TOKEN_SIGNATURE',
      `The token's signature does not verify against the keys of ${issuer.issuer}.`,
      opts,
    );
  }
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) {
    return new AuthError(
      'AUTH_TOKEN_SIGNATURE',
      `No single key of ${issuer.issuer} matches the token's key id; it was not signed by that issuer.`,
      opts,
    );
  }
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid) {
    return new AuthError(
      'AUTH_TOKEN_MALFORMED',
      `The token is not a valid JWT (${err.message}).`,
      opts,
    );
  }
  return new AuthError(
    'AUTH_TOKEN_SIGNATURE',
    `The token could not be verified: ${(err as Error).message}.`,
    opts,
  );
}
