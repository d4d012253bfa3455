/**
 * Corporate proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (or their lower-case forms) apply to every
 * request, Dataverse and Entra ID alike, without the user setting NODE_USE_ENV_PROXY. Node 24's
 * fetch ignores these variables unless told; `http.setGlobalProxyFromEnv` tells it at run time, so
 * no proxy dependency is needed. A proxy that inspects TLS needs its CA in NODE_EXTRA_CA_CERTS.
 */
import * as http from 'node:http';

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/** Names the proxy variable in effect, or undefined when none is set (then nothing changes). */
export function proxyVariable(env: NodeJS.ProcessEnv): string | undefined {
  return PROXY_VARIABLES.find((name) => (env[name] ?? '') !== '');
}

/**
 * Routes fetch through the proxy the environment names. Returns false when a proxy is set but this
 * Node cannot honour it (older than the `setGlobalProxyFromEnv` API), for the caller to say so.
 */
export function useProxyFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  if (proxyVariable(env) === undefined) return true;
  const setGlobal = (http as { setGlobalProxyFromEnv?: (env?: NodeJS.ProcessEnv) => unknown }).setGlobalProxyFromEnv;
  if (typeof setGlobal !== 'function') return false;
  setGlobal(env);
  return true;
}
