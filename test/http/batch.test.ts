/** OData $batch on the wire: GET parts encoded byte for byte, the multipart answer split into parts, broken answers refused. */
import { ResponseError } from '../../connector/errors';
import { boundaryOf, encodeBatch, parseBatchResponse } from '../../connector/http/batch';

describe('encodeBatch', () => {
  test('one GET part per path with the default Accept header, and the closing boundary', () => {
    expect(encodeBatch('batch_1', ['/api/data/v9.2/accounts?$top=1', '/api/data/v9.2/contacts'])).toBe(
      '--batch_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET /api/data/v9.2/accounts?$top=1 HTTP/1.1\r\nAccept: application/json\r\n\r\n' +
        '--batch_1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nGET /api/data/v9.2/contacts HTTP/1.1\r\nAccept: application/json\r\n\r\n' +
        '--batch_1--\r\n',
    );
  });

  test('the given headers go into every part, in order', () => {
    const body = encodeBatch('b', ['/a', '/b'], { Accept: 'application/json', Prefer: 'odata.maxpagesize=500' });
    expect(body.split('Accept: application/json\r\nPrefer: odata.maxpagesize=500\r\n\r\n')).toHaveLength(3);
  });

  test('no paths: only the closing boundary', () => {
    expect(encodeBatch('b', [])).toBe('--b--\r\n');
  });

  test('a header or path that would split the part is refused', () => {
    expect(() => encodeBatch('b', ['/a'], { Prefer: 'x\r\nDELETE /a HTTP/1.1' })).toThrow(new Error('a batch part header must be one line: Prefer'));
    expect(() => encodeBatch('b', ['/a HTTP/1.1\r\n\r\nDELETE /b'])).toThrow('a batch part path must not contain whitespace: /a HTTP/1.1');
    expect(() => encodeBatch('b', ['/a b'])).toThrow(new Error('a batch part path must not contain whitespace: /a b'));
  });
});

describe('boundaryOf', () => {
  test.each<[string, string]>([
    ['multipart/mixed; boundary=batchresponse_1f2e', 'batchresponse_1f2e'],
    ['multipart/mixed; boundary="batchresponse_1f2e"', 'batchresponse_1f2e'],
    ['multipart/mixed; BOUNDARY=x; charset=utf-8', 'x'],
  ])('%s', (contentType, boundary) => {
    expect(boundaryOf(contentType)).toBe(boundary);
  });

  test('a response that is not multipart is refused, naming its Content-Type', () => {
    expect(() => boundaryOf('application/json; odata.metadata=minimal')).toThrow(
      new ResponseError('the $batch response is not multipart (Content-Type application/json; odata.metadata=minimal)'),
    );
    expect(() => boundaryOf(null)).toThrow(new ResponseError('the $batch response is not multipart (Content-Type missing)'));
  });
});

describe('parseBatchResponse', () => {
  const CT = 'multipart/mixed; boundary=batchresponse_7';
  const part = (status: string, headers: string[], body: string, eol = '\r\n') =>
    ['--batchresponse_7', 'Content-Type: application/http', 'Content-Transfer-Encoding: binary', '', status, ...headers, '', body].join(eol) + eol;

  test('splits the parts in order: status, lower-cased headers, JSON bodies parsed', () => {
    const text =
      part('HTTP/1.1 200 OK', ['Content-Type: application/json; odata.metadata=minimal', 'OData-Version: 4.0'], '{"value":[{"n":1},{"n":2}]}') +
      part('HTTP/1.1 404 Not Found', ['Content-Type: application/json'], '{"error":{"code":"0x80060888","message":"Resource not found"}}') +
      '--batchresponse_7--\r\n';
    expect(parseBatchResponse(CT, text)).toEqual([
      { status: 200, headers: { 'content-type': 'application/json; odata.metadata=minimal', 'odata-version': '4.0' }, body: { value: [{ n: 1 }, { n: 2 }] } },
      { status: 404, headers: { 'content-type': 'application/json' }, body: { error: { code: '0x80060888', message: 'Resource not found' } } },
    ]);
  });

  test('LF-only line endings, a text body and a part without a body', () => {
    const text =
      part('HTTP/1.1 500 Internal Server Error', ['Content-Type: text/plain'], 'upstream failed', '\n') +
      ['--batchresponse_7', 'Content-Type: application/http', '', 'HTTP/1.1 204 No Content'].join('\n') + '\n' +
      '--batchresponse_7--\n';
    expect(parseBatchResponse(CT, text)).toEqual([
      { status: 500, headers: { 'content-type': 'text/plain' }, body: 'upstream failed' },
      { status: 204, headers: {}, body: '' },
    ]);
  });

  test('keeps every digit of a long number (exact JSON)', () => {
    const text = part('HTTP/1.1 200 OK', [], '{"big":9007199254740993}') + '--batchresponse_7--\r\n';
    expect(JSON.stringify(parseBatchResponse(CT, text)[0]!.body)).toBe('{"big":9007199254740993}');
    expect(JSON.stringify(parseBatchResponse(CT, text, true)[0]!.body)).toBe('{"big":9007199254740993}');
  });

  test("a body whose bytes hold no long digit run (the requester's scan) parses its parts without scanning them again", () => {
    // The flag is trusted: a part is then read with JSON.parse alone, as a double.
    const text = part('HTTP/1.1 200 OK', [], '{"big":9007199254740993}') + '--batchresponse_7--\r\n';
    expect(JSON.stringify(parseBatchResponse(CT, text, false)[0]!.body)).toBe('{"big":9007199254740992}');
  });

  test('an answer without its closing boundary was cut short', () => {
    const text = part('HTTP/1.1 200 OK', [], '{"value":[]}');
    expect(() => parseBatchResponse(CT, text)).toThrow(new ResponseError('the $batch response was cut short: its closing boundary is missing'));
  });

  test('a part without an HTTP status line is refused, quoting the line', () => {
    const text = part('HTTP/2 200', [], '{}') + '--batchresponse_7--\r\n';
    expect(() => parseBatchResponse(CT, text)).toThrow(new ResponseError('a $batch part has no HTTP status line (found "HTTP/2 200")'));
  });

  test('a part with malformed JSON is refused with its status and size, not its text', () => {
    const text = part('HTTP/1.1 200 OK', [], '{"value":[') + '--batchresponse_7--\r\n';
    expect(() => parseBatchResponse(CT, text)).toThrow(new ResponseError('a $batch part (HTTP 200) holds malformed JSON (10 bytes)'));
  });

  test('a body that is not multipart is refused before parsing', () => {
    expect(() => parseBatchResponse('application/json', '{}')).toThrow(new ResponseError('the $batch response is not multipart (Content-Type application/json)'));
  });
});
