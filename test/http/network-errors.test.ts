/** Network failures classified by the codes on the error and its causes, and the customer message for a host that cannot be reached. */
import { UnreachableHostError } from '../../connector/errors';
import { classifyNetworkError, errorCodes, isHostFailure, unreachableHostError, type ClassifiedFailure } from '../../connector/http/network-errors';

/** An error as undici throws it: `fetch failed` with the socket error as its cause. */
const fetchFailed = (code: string, message = `connect ${code}`) => new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });

describe('errorCodes', () => {
  test('collects the codes of the error and its causes, outermost first, at most five deep', () => {
    let err: unknown = Object.assign(new Error('6'), { code: 'C6' });
    for (let i = 5; i >= 1; i--) err = Object.assign(new Error(String(i)), { code: `C${i}`, cause: err });
    expect(errorCodes(err)).toEqual(['C1', 'C2', 'C3', 'C4', 'C5']);
  });

  test('skips levels without a string code', () => {
    expect(errorCodes(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 42, cause: { code: 'ECONNRESET' } }) }))).toEqual(['ECONNRESET']);
    expect(errorCodes(undefined)).toEqual([]);
  });
});

describe('classifyNetworkError', () => {
  test.each<[string, unknown, ClassifiedFailure]>([
    ['a deadline (TimeoutError)', Object.assign(new Error('no complete response within 5 s'), { name: 'TimeoutError' }), { kind: 'timeout', description: 'the request timed out' }],
    ['an abort', new DOMException('aborted', 'AbortError'), { kind: 'timeout', description: 'the request timed out' }],
    ['an expired certificate', fetchFailed('CERT_HAS_EXPIRED'), { kind: 'tls', code: 'CERT_HAS_EXPIRED', description: 'TLS failure (CERT_HAS_EXPIRED)' }],
    ['a self-signed chain', fetchFailed('SELF_SIGNED_CERT_IN_CHAIN'), { kind: 'tls', code: 'SELF_SIGNED_CERT_IN_CHAIN', description: 'TLS failure (SELF_SIGNED_CERT_IN_CHAIN)' }],
    ['any ERR_TLS_ code', fetchFailed('ERR_TLS_HANDSHAKE_TIMEOUT'), { kind: 'tls', code: 'ERR_TLS_HANDSHAKE_TIMEOUT', description: 'TLS failure (ERR_TLS_HANDSHAKE_TIMEOUT)' }],
    ['any ERR_SSL_ code', fetchFailed('ERR_SSL_DECRYPTION_FAILED'), { kind: 'tls', code: 'ERR_SSL_DECRYPTION_FAILED', description: 'TLS failure (ERR_SSL_DECRYPTION_FAILED)' }],
    ['an unknown host', fetchFailed('ENOTFOUND'), { kind: 'dns', code: 'ENOTFOUND', description: 'host name not found (ENOTFOUND)' }],
    ['a DNS retry failure', fetchFailed('EAI_AGAIN'), { kind: 'dns', code: 'EAI_AGAIN', description: 'host name not found (EAI_AGAIN)' }],
    ['a refused connection', fetchFailed('ECONNREFUSED'), { kind: 'refused', code: 'ECONNREFUSED', description: 'connection refused (ECONNREFUSED)' }],
    ['a reset', fetchFailed('ECONNRESET'), { kind: 'reset', code: 'ECONNRESET', description: 'connection reset (ECONNRESET)' }],
    ['an undici socket error', fetchFailed('UND_ERR_SOCKET'), { kind: 'reset', code: 'UND_ERR_SOCKET', description: 'connection reset (UND_ERR_SOCKET)' }],
    ['a socket timeout', fetchFailed('ETIMEDOUT'), { kind: 'reset', code: 'ETIMEDOUT', description: 'connection reset (ETIMEDOUT)' }],
    ['a blocked port', new TypeError('fetch failed', { cause: new Error('bad port') }), { kind: 'refused', description: 'the port is blocked by the HTTP client' }],
    ['a body cut off (terminated)', new TypeError('terminated'), { kind: 'reset', description: 'connection closed early (terminated)' }],
    ['MSAL\'s socket hang up', new Error('socket hang up'), { kind: 'reset', description: 'connection closed early (socket hang up)' }],
    ['something else with a code', fetchFailed('EWEIRD'), { kind: 'other', code: 'EWEIRD', description: 'fetch failed' }],
    ['a thrown string', 'boom', { kind: 'other', code: undefined, description: 'boom' }],
  ])('%s', (_name, err, expected) => {
    expect(classifyNetworkError(err)).toEqual(expected);
  });

  test('a TLS code anywhere in the chain wins over a reset outside it', () => {
    const err = Object.assign(new Error('outer'), { code: 'ECONNRESET', cause: Object.assign(new Error('inner'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }) });
    expect(classifyNetworkError(err)).toEqual({ kind: 'tls', code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', description: 'TLS failure (UNABLE_TO_VERIFY_LEAF_SIGNATURE)' });
  });
});

describe('isHostFailure', () => {
  test.each<[ClassifiedFailure['kind'], boolean]>([
    ['tls', true],
    ['dns', true],
    ['refused', true],
    ['reset', false],
    ['timeout', false],
    ['malformed', false],
    ['other', false],
  ])('%s: %p', (kind, expected) => {
    expect(isHostFailure({ kind, description: '' })).toBe(expected);
  });
});

describe('unreachableHostError', () => {
  test('names the org URL and setup step 4 by default, and keeps the cause and the detail for engineers', () => {
    const cause = fetchFailed('ENOTFOUND');
    const err = unreachableHostError('https://org.example', { kind: 'dns', code: 'ENOTFOUND', description: 'host name not found (ENOTFOUND)' }, cause);
    expect(err).toBeInstanceOf(UnreachableHostError);
    expect(err.message).toBe("Cannot reach https://org.example (host name not found (ENOTFOUND)): check org_url (setup step 4) and this machine's network access to it");
    expect(err.internal).toBe('host name not found (ENOTFOUND)');
    expect(err.cause).toBe(cause);
    expect(err.failureType).toBe('config_error');
  });

  test('an untrusted certificate points at the proxy/CA setup; a setting names the host and what to check', () => {
    const err = unreachableHostError('https://login.example', { kind: 'tls', code: 'CERT_HAS_EXPIRED', description: 'TLS failure (CERT_HAS_EXPIRED)' }, undefined, {
      label: 'the authority host https://login.example',
      check: 'authority_host',
    });
    expect(err.message).toBe('The TLS certificate of the authority host https://login.example is not trusted (TLS failure (CERT_HAS_EXPIRED)): check authority_host, or the proxy/CA setup of this machine');
    expect(err.cause).toBeUndefined();
  });
});
