/**
 * Which Microsoft Entra ID host signs in an environment, from the org host's cloud, so that a
 * GCC High, DoD or China org works without the user knowing to set `authority_host`
 * (facts §1 "Sovereign clouds" and §9). GCC (`crm9.dynamics.com`) signs in at the public host.
 */

/** One sovereign cloud: the org host suffixes that belong to it and its Entra ID host. */
export interface CloudAuthority {
  /** Host suffixes, each with its leading dot (`.microsoftdynamics.us`). */
  suffixes: readonly string[];
  authorityHost: string;
  /** The cloud's name for people (docs, tests). */
  cloud: string;
}

/** The public cloud's Entra ID host: every org host that matches no sovereign suffix. */
export const PUBLIC_AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** Sovereign clouds by org host suffix; the docs' table (docs/setup.md) lists the same rows. */
export const SOVEREIGN_CLOUDS: readonly CloudAuthority[] = [
  { cloud: 'US Government GCC High', suffixes: ['.microsoftdynamics.us'], authorityHost: 'https://login.microsoftonline.us' },
  { cloud: 'US Government DoD', suffixes: ['.appsplatform.us'], authorityHost: 'https://login.microsoftonline.us' },
  { cloud: 'China (21Vianet)', suffixes: ['.dynamics.cn'], authorityHost: 'https://login.chinacloudapi.cn' },
];

/** The Entra ID host for an org URL (`https://contoso.crm.microsoftdynamics.us` -> `https://login.microsoftonline.us`). */
export function authorityHostFor(orgUrl: string): string {
  let host: string;
  try {
    host = new URL(orgUrl).hostname.toLowerCase().replace(/\.$/, '');
  } catch {
    return PUBLIC_AUTHORITY_HOST;
  }
  const cloud = SOVEREIGN_CLOUDS.find((c) => c.suffixes.some((s) => host.endsWith(s)));
  return cloud?.authorityHost ?? PUBLIC_AUTHORITY_HOST;
}
