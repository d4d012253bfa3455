/**
 * Access tokens the emulated Entra issued, so the emulated Dataverse can tell a token it knows
 * (and from which tenant/app) from a forged, expired or revoked one.
 */
import { randomBytes, randomUUID } from 'node:crypto';

/** What the emulator remembers about an issued token. */
export interface IssuedToken {
  token: string;
  tenantId: string;
  clientId: string;
  /** The resource the token is for (the org url). */
  audience: string;
  /** Epoch milliseconds. */
  expiresAt: number;
  revoked: boolean;
}

/** Why a presented bearer token is not usable. */
export type TokenProblem = 'unknown' | 'expired' | 'revoked';

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** The set of issued tokens. */
export class TokenStore {
  private readonly byValue = new Map<string, IssuedToken>();

  /**
   * Issues a JWT-shaped token. Its signature part is random bytes from node:crypto (not the seeded
   * generator) so tokens differ between runs and between emulator instances: a token from one
   * emulator must never work on another.
   */
  issue(args: { tenantId: string; clientId: string; audience: string; lifetimeSeconds: number; now?: number }): IssuedToken {
    const now = args.now ?? Date.now();
    const iat = Math.floor(now / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5t: 'emulator', kid: 'emulator' };
    const payload = {
      aud: `${args.audience}/`,
      iss: `https://sts.windows.net/${args.tenantId}/`,
      iat,
      nbf: iat,
      exp: iat + args.lifetimeSeconds,
      appid: args.clientId,
      tid: args.tenantId,
      ver: '1.0',
      uti: randomUUID(),
    };
    const token = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${base64url(randomBytes(256))}`;
    const issued: IssuedToken = {
      token,
      tenantId: args.tenantId,
      clientId: args.clientId,
      audience: args.audience,
      expiresAt: now + args.lifetimeSeconds * 1000,
      revoked: false,
    };
    this.byValue.set(token, issued);
    return issued;
  }

  /** The token's record, or why it cannot be used. */
  check(token: string, now: number = Date.now()): IssuedToken | TokenProblem {
    const issued = this.byValue.get(token);
    if (!issued) return 'unknown';
    if (issued.revoked) return 'revoked';
    if (now >= issued.expiresAt) return 'expired';
    return issued;
  }

  /** Revokes every token issued so far (the `expireTokens` fault). */
  revokeAll(): void {
    for (const issued of this.byValue.values()) issued.revoked = true;
  }

  /** Every token issued so far, in issue order. */
  all(): string[] {
    return [...this.byValue.keys()];
  }
}
