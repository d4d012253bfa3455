import { findLeak } from './leaks';

const token = 'eyJhbGciOiJSUzI1NiJ9.' + 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'.repeat(4);

describe('findLeak', () => {
  test.each([
    ['the whole token', `Bearer ${token}`, true],
    ['40 characters from an odd offset', `x${token.slice(7, 47)}y`, true],
    ['the last 40 characters', token.slice(-40), true],
    ['39 characters', `x${token.slice(7, 46)}y`, false],
    ['unrelated text', 'the read stopped: HTTP 400', false],
  ])('%s', (_name, text, leaked) => {
    expect(findLeak(text, [token]) !== undefined).toBe(leaked);
  });
  test('a short secret counts when it appears whole, and the message never holds it', () => {
    const secret = 'emu-secret-Q8w~good.7f3a91c4d2e8b650';
    const leak = findLeak(`config: ${secret}`, [secret]);
    expect(leak).toBe('secret #0 (36 characters) appears whole');
    expect(findLeak('config: emu-secret-Q8w~good', [secret])).toBeUndefined();
  });
});
