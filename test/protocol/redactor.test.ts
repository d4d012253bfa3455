import { Redactor } from '../../connector/protocol/redactor';

describe('Redactor', () => {
  test('removes registered secrets in plain, JSON-escaped and URL-encoded form', () => {
    const r = new Redactor();
    r.add('s3cr"et/+value');
    expect(r.redact('a s3cr"et/+value b')).toBe('a ********** b');
    expect(r.redact(JSON.stringify({ m: 's3cr"et/+value' }))).toBe('{"m":"**********"}');
    expect(r.redact('x=s3cr%22et%2F%2Bvalue')).toBe('x=**********');
  });
  test('masks any bearer token, registered or not', () => {
    expect(new Redactor().redact('Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOi.abc')).toBe('Authorization: Bearer **********');
  });
  test('ignores values too short to be secrets', () => {
    const r = new Redactor();
    r.add('abc');
    r.add(undefined);
    expect(r.size).toBe(0);
    expect(r.redact('abc')).toBe('abc');
  });
});
