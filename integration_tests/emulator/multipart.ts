/**
 * The multipart/mixed wire format of OData `$batch` (facts §8; OData v4.0 part 1 §11.7): reading a
 * request body into parts holding inner HTTP requests, and writing the response body.
 */

/** One part of a batch request body. */
export interface BatchRequestPart {
  /** The part's own MIME headers (lower-cased names): Content-Type, Content-Transfer-Encoding. */
  headers: Record<string, string>;
  /** The inner request, when the part is `application/http`. */
  request: { method: string; target: string; version: string; headers: Record<string, string>; body: string } | null;
  /** For a nested multipart part (a change set): its content type. */
  multipart: boolean;
}

/** One inner response to write. */
export interface BatchResponsePart {
  status: number;
  statusText: string;
  headers: Array<[string, string]>;
  body: string;
}

/** The `boundary` parameter of a multipart/mixed Content-Type, or null. */
export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\/mixed\s*(;|$)/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : null;
}

/** Splits `head` (lines) into a lower-cased header map. */
function parseHeaderLines(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** Splits text at the first blank line (CRLF or LF line ends are both accepted). */
function splitAtBlankLine(text: string): [string, string] {
  const m = /\r?\n\r?\n/.exec(text);
  return m ? [text.slice(0, m.index), text.slice(m.index + m[0].length)] : [text, ''];
}

/**
 * Parses a batch body into parts, or returns why it cannot. The preamble before the first
 * delimiter and the epilogue after the closing one are ignored, as MIME says.
 */
export function parseBatchBody(body: string, boundary: string): BatchRequestPart[] | { error: string } {
  const delimiter = `--${boundary}`;
  const close = body.indexOf(`${delimiter}--`);
  if (close < 0) return { error: `The batch body has no closing delimiter '${delimiter}--'.` };
  const chunks = body.slice(0, close).split(delimiter).slice(1);
  const parts: BatchRequestPart[] = [];
  for (const rawChunk of chunks) {
    const chunk = rawChunk.replace(/^[ \t]*\r?\n/, '');
    const [head, content] = splitAtBlankLine(chunk);
    const headers = parseHeaderLines(head.split(/\r?\n/));
    const type = (headers['content-type'] ?? '').toLowerCase();
    if (type.startsWith('multipart/mixed')) {
      parts.push({ headers, request: null, multipart: true });
      continue;
    }
    if (!type.startsWith('application/http')) {
      parts.push({ headers, request: null, multipart: false });
      continue;
    }
    const [innerHead, innerBody] = splitAtBlankLine(content);
    const [requestLine, ...headerLines] = innerHead.split(/\r?\n/);
    const m = /^([A-Z]+)\s+(\S+)\s+(HTTP\/1\.[01])\s*$/.exec(requestLine.trim());
    if (!m) return { error: `A batch part has a malformed request line: '${requestLine.trim().slice(0, 120)}'.` };
    parts.push({
      headers,
      request: { method: m[1], target: m[2], version: m[3], headers: parseHeaderLines(headerLines), body: innerBody.replace(/\r?\n$/, '') },
      multipart: false,
    });
  }
  return parts;
}

/** Writes a multipart/mixed response body with CRLF line ends (execute-batch-operations-using-web-api.md). */
export function formatBatchResponse(boundary: string, parts: readonly BatchResponsePart[]): string {
  let out = '';
  for (const part of parts) {
    out += `--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n`;
    out += `HTTP/1.1 ${part.status} ${part.statusText}\r\n`;
    for (const [name, value] of part.headers) out += `${name}: ${value}\r\n`;
    out += `\r\n${part.body}\r\n`;
  }
  return `${out}--${boundary}--\r\n`;
}
