/**
 * Removes secrets from text before it leaves the process. Secrets are registered as they become
 * known (the client secret at config load, each access token when MSAL hands it over), so even
 * an error thrown deep inside a library cannot carry one out.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Registers a value that must never be printed. Very short values are ignored: they would shred ordinary text. */
  add(secret: unknown): void {
    if (typeof secret !== 'string' || secret.length < 6) return;
    this.secrets.add(secret);
    // JSON output escapes some characters; register the escaped form too so it is found in serialized messages.
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) this.secrets.add(escaped);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) this.secrets.add(encoded);
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) {
      if (out.includes(secret)) out = out.split(secret).join('**********');
    }
    // Bearer tokens we never saw (e.g. echoed by a proxy) still must not leak.
    return out.replace(/(Bearer\s+)[A-Za-z0-9\-._~+/]{16,}=*/g, '$1**********');
  }
}
