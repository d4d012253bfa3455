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

describe('Redactor: parts of secrets', () => {
  const token = `eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.${'QWxhZGRpbjpvcGVuIHNlc2FtZQ'.repeat(8)}.${'c2lnbmF0dXJlLWJ5dGVz'.repeat(10)}`;
  test('a token cut short (first 480 characters of a body) is masked', () => {
    const r = new Redactor();
    r.add(token);
    const body = `{"error":{"message":"rejected header Authorization: Bearer ${token}"}}`.slice(0, 200);
    const out = r.redact(body);
    expect(out).toBe('{"error":{"message":"rejected header Authorization: Bearer **********');
  });
  test('any 40-character piece of a registered secret is masked, wherever it sits', () => {
    const secret = 'Zq8~abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH';
    const r = new Redactor();
    r.add(secret);
    expect(r.redact(`x ${secret.slice(3, 43)} y`)).toBe('x ********** y');
    expect(r.redact(secret.slice(0, 40))).toBe('**********');
    expect(r.redact(`${secret.slice(5, 44)} is 39 characters`)).toBe(`${secret.slice(5, 44)} is 39 characters`);
  });
  test('two separate pieces are both masked, the text between kept', () => {
    const secret = 'k'.repeat(0) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const r = new Redactor();
    r.add(secret);
    expect(r.redact(`${secret.slice(0, 41)} and ${secret.slice(10, 52)}.`)).toBe('********** and **********.');
  });
  test('a 40-character piece is found at every offset in a long text, whatever part of the secret it is', () => {
    const secret = 'Zq8~abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH-_.ijklmnop';
    const r = new Redactor();
    r.add(secret);
    const filler = 'y'.repeat(5_000);
    let masked = 0;
    for (let offset = 0; offset < 45; offset++) {
      for (let from = 0; from + 40 <= secret.length; from += 7) {
        const text = `${filler.slice(0, offset)}${secret.slice(from, from + 40)}${filler}`;
        expect(r.redact(text)).toBe(`${filler.slice(0, offset)}**********${filler}`);
        masked++;
      }
    }
    expect(masked).toBe(45 * 3);
    expect(r.redact(filler + secret.slice(1, 40) + filler)).toBe(filler + secret.slice(1, 40) + filler);
  });
  test('anything shaped like a JWT is masked even when never registered', () => {
    expect(new Redactor().redact(`token=${token}&x=1`)).toBe('token=**********&x=1');
  });
});
