/**
 * Small helpers for tests that drive the emulator over real HTTP (no MSAL): a raw token request,
 * untyped JSON, and the committed fixtures.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assetDir } from './fixtures';
import { GOOD_CLIENT_ID, GOOD_CLIENT_SECRET, GOOD_TENANT_ID } from './world';

/** Overrides of a client-credentials token request; defaults are the good credentials. */
export interface TokenRequestArgs {
  tenant?: string;
  clientId?: string;
  secret?: string;
  /** Default `{orgUrl}/.default`. */
  scope?: string;
  /** Extra form fields. */
  extra?: Record<string, string>;
  /** Form fields to leave out. */
  omit?: string[];
  headers?: Record<string, string>;
}

/** Where to send it: an Emulator, or the urls of a printed config. */
export interface EmulatorUrls {
  loginUrl: string;
  orgUrl: string;
}

/** POSTs a client-credentials form to the emulator's token endpoint, as MSAL would. */
export function requestToken(urls: EmulatorUrls, args: TokenRequestArgs = {}): Promise<Response> {
  const form = new URLSearchParams({
    client_id: args.clientId ?? GOOD_CLIENT_ID,
    client_secret: args.secret ?? GOOD_CLIENT_SECRET,
    scope: args.scope ?? `${urls.orgUrl}/.default`,
    grant_type: 'client_credentials',
    ...args.extra,
  });
  for (const name of args.omit ?? []) form.delete(name);
  return fetch(`${urls.loginUrl}/${args.tenant ?? GOOD_TENANT_ID}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...args.headers },
    body: form.toString(),
  });
}

/** An access token for the given (default: good) credentials; throws if the emulator refuses. */
export async function fetchToken(urls: EmulatorUrls, args: TokenRequestArgs = {}): Promise<string> {
  const res = await requestToken(urls, args);
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${await res.text()}`);
  return (await json(res)).access_token;
}

/** A response's JSON, untyped, for assertions on its fields. */
export function json(res: Response): Promise<any> {
  return res.json();
}

/** A committed fixture of `integration_tests/emulator/fixtures/`, parsed, untyped. */
export function readFixture(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(assetDir('fixtures'), name), 'utf8'));
}
