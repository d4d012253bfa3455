/**
 * OData $batch on the wire (multipart/mixed): encoding a batch of GETs and parsing the multipart
 * answer. Only GETs can be encoded, so a batch can never carry a write.
 */
import { ResponseError } from '../errors';
import { parseExactJson } from './exact-json';

/** One inner response of a batch. */
export interface BatchPartResponse {
  status: number;
  headers: Record<string, string>;
  /** The inner body, parsed when it is JSON, else the raw text. */
  body: unknown;
}

/**
 * Encodes GET requests (paths relative to the host, e.g. `/api/data/v9.2/...`) as a batch body.
 * `headers` go into every part (a page's Prefer header must reach the page's request).
 */
export function encodeBatch(boundary: string, paths: readonly string[], headers: Readonly<Record<string, string>> = { Accept: 'application/json' }): string {
  let head = '';
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name + value)) throw new Error(`a batch part header must be one line: ${name}`);
    head += `${name}: ${value}\r\n`;
  }
  let out = '';
  for (const path of paths) {
    if (/\s/.test(path)) throw new Error(`a batch part path must not contain whitespace: ${path}`);
    out += `--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET ${path} HTTP/1.1\r\n${head}\r\n`;
  }
  return `${out}--${boundary}--\r\n`;
}

/** The boundary of a multipart Content-Type header. */
export function boundaryOf(contentType: string | null): string {
  const match = /boundary="?([^";]+)"?/i.exec(contentType ?? '');
  if (!match) throw new ResponseError(`the $batch response is not multipart (Content-Type ${contentType ?? 'missing'})`);
  return match[1];
}

function parseHeaders(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Splits a multipart/mixed body into its inner HTTP responses, in order. `longDigits` false says
 * the whole body holds no long digit run (the requester scanned its bytes), so no part's text is
 * scanned again; otherwise each part is scanned on its own (exact-json.ts).
 */
export function parseBatchResponse(contentType: string | null, text: string, longDigits?: boolean): BatchPartResponse[] {
  const boundary = boundaryOf(contentType);
  const delimiter = `--${boundary}`;
  const end = text.indexOf(`${delimiter}--`);
  if (end < 0) throw new ResponseError('the $batch response was cut short: its closing boundary is missing');
  const parts: BatchPartResponse[] = [];
  for (const chunk of text.slice(0, end).split(delimiter).slice(1)) {
    // part headers, blank line, inner status line + headers, blank line, body
    const partSplit = chunk.search(/\r?\n\r?\n/);
    const inner = chunk.slice(partSplit).replace(/^\r?\n\r?\n/, '');
    const headEnd = inner.search(/\r?\n\r?\n/);
    const head = headEnd < 0 ? inner : inner.slice(0, headEnd);
    const bodyText = headEnd < 0 ? '' : inner.slice(headEnd).replace(/^\r?\n\r?\n/, '').replace(/\r?\n$/, '');
    const [statusLine, ...headerLines] = head.split(/\r?\n/);
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    if (!Number.isInteger(status)) throw new ResponseError(`a $batch part has no HTTP status line (found "${statusLine.slice(0, 60)}")`);
    let body: unknown = bodyText;
    if (bodyText.trim().startsWith('{')) {
      try {
        body = parseExactJson(bodyText, longDigits === false ? false : undefined);
      } catch {
        throw new ResponseError(`a $batch part (HTTP ${status}) holds malformed JSON (${bodyText.length} bytes)`);
      }
    }
    parts.push({ status, headers: parseHeaders(headerLines.join('\n')), body });
  }
  return parts;
}
