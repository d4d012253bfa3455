/** Classifies what Node's fetch (undici) and MSAL's https client throw, by the error codes they carry. */
import { UnreachableHostError } from '../errors';

export type NetworkFailure = 'tls' | 'dns' | 'refused' | 'reset' | 'timeout' | 'malformed' | 'other';

const TLS_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'EPROTO',
]);
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNABORTED', 'ETIMEDOUT']);

/** The codes found on an error and its causes, outermost first. */
export function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}

export interface ClassifiedFailure {
  kind: NetworkFailure;
  code?: string;
  description: string;
}

export function classifyNetworkError(err: unknown): ClassifiedFailure {
  const codes = errorCodes(err);
  const name = (err as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'timeout', description: 'the request timed out' };
  const tls = codes.find((c) => TLS_CODES.has(c) || c.startsWith('ERR_TLS') || c.startsWith('ERR_SSL'));
  if (tls) return { kind: 'tls', code: tls, description: `TLS failure (${tls})` };
  const dns = codes.find((c) => DNS_CODES.has(c));
  if (dns) return { kind: 'dns', code: dns, description: `host name not found (${dns})` };
  if (codes.includes('ECONNREFUSED')) return { kind: 'refused', code: 'ECONNREFUSED', description: 'connection refused (ECONNREFUSED)' };
  const reset = codes.find((c) => RESET_CODES.has(c));
  if (reset) return { kind: 'reset', code: reset, description: `connection reset (${reset})` };
  const message = err instanceof Error ? err.message : String(err);
  const causeMessage = (err as { cause?: { message?: unknown } })?.cause?.message;
  // fetch refuses ports browsers block (9, 25, ...) before connecting.
  if (causeMessage === 'bad port') return { kind: 'refused', description: 'the port is blocked by the HTTP client' };
  if (/terminated|other side closed|socket hang up/i.test(message)) return { kind: 'reset', description: `connection closed early (${message})` };
  return { kind: 'other', code: codes[0], description: message };
}

/** Which setting names the host, for the message: the org URL (default) or the authority host. */
export interface HostSetting {
  /** How the host is named in the message, e.g. `the authority host https://login...`. */
  label: string;
  /** What to check, e.g. `org_url (setup step 4)`. */
  check: string;
}

/** The customer message for a host that cannot be reached or whose certificate is not trusted. */
export function unreachableHostError(origin: string, failure: ClassifiedFailure, cause?: unknown, setting?: HostSetting): UnreachableHostError {
  const label = setting?.label ?? origin;
  const check = setting?.check ?? 'org_url (setup step 4)';
  const message =
    failure.kind === 'tls'
      ? `The TLS certificate of ${label} is not trusted (${failure.description}): check ${check}, or the proxy/CA setup of this machine`
      : `Cannot reach ${label} (${failure.description}): check ${check} and this machine's network access to it`;
  return new UnreachableHostError(message, { internal: failure.description, cause });
}

/** Failures that retrying the same request will not fix: the host is wrong or not trusted. */
export function isHostFailure(failure: ClassifiedFailure): boolean {
  return failure.kind === 'tls' || failure.kind === 'dns' || failure.kind === 'refused';
}
