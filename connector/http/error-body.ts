/** Reading Dataverse's answers to failed requests: its error envelope, and bodies as text. */

/** Parses `{"error":{"code","message"}}`, Dataverse's error envelope, tolerating anything else. */
export function parseDataverseError(text: string): { code?: string; message?: string } {
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof parsed?.error?.code === 'string' ? parsed.error.code : undefined;
    const message = typeof parsed?.error?.message === 'string' ? parsed.error.message : undefined;
    return { code, message };
  } catch {
    return {};
  }
}

/** A part's body as text, for filters and error parsing. */
export function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  return typeof body === 'string' ? body : JSON.stringify(body);
}
