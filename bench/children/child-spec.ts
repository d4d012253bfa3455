/** What the bench hands the ceiling and dynamics-web-api children (a JSON file, argv[2]). */
export interface ChildSpec {
  /** Stream name written in RECORD lines. */
  stream: string;
  /** `https://127.0.0.1:<port>`. */
  orgUrl: string;
  /** The entity set, e.g. `accounts`. */
  entitySet: string;
  /** `$select` columns, in the connector's order. */
  select: string[];
  pageSize: number;
  /** The connector's first page URL, exactly as it sent it (the ceiling requests the same). */
  firstUrl: string;
  /** The connector's request headers on that request, authorization left out. */
  headers: Record<string, string>;
  /** Client-credentials token request. */
  token: { url: string; clientId: string; clientSecret: string; scope: string };
}

/** A client-credentials token by a plain POST to the token endpoint (what MSAL sends, minus its metadata requests). */
export async function fetchAccessToken(spec: ChildSpec['token']): Promise<string> {
  const form = new URLSearchParams({ client_id: spec.clientId, client_secret: spec.clientSecret, scope: spec.scope, grant_type: 'client_credentials' });
  const res = await fetch(spec.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`token request failed: ${res.status} ${text.slice(0, 300)}`);
  return (JSON.parse(text) as { access_token: string }).access_token;
}

/** Writes to stdout, waiting for 'drain' when the pipe is full. */
export function writeOut(chunk: string): Promise<void> | undefined {
  if (process.stdout.write(chunk)) return undefined;
  return new Promise((resolve) => process.stdout.once('drain', () => resolve()));
}

export function recordHead(stream: string): string {
  return `{"type":"RECORD","record":{"stream":${JSON.stringify(stream)},"data":`;
}

export function recordTail(emittedAt: number): string {
  return `,"emitted_at":${emittedAt}}}\n`;
}
