/**
 * Leak detection over CLI output: any FRAGMENT_CHARS-long piece of a secret or token is a leak
 * (a token cut in the middle still grants access, and most of it is still there). Fast enough to
 * run on every CLI run of the suite: a 40-character piece always contains one of the secret's
 * 20-character chunks at a multiple of 20, so only those are searched, then confirmed.
 */
import { FRAGMENT_CHARS } from '../../connector/protocol/redactor';

const CHUNK = FRAGMENT_CHARS / 2;

/** A description of the first leak found in `text` (never the secret itself), or undefined. */
export function findLeak(text: string, secrets: readonly string[]): string | undefined {
  for (const [index, secret] of secrets.entries()) {
    if (secret.length < FRAGMENT_CHARS) {
      if (secret.length >= 6 && text.includes(secret)) return `secret #${index} (${secret.length} characters) appears whole`;
      continue;
    }
    for (let start = 0; start + CHUNK <= secret.length; start += CHUNK) {
      let at = text.indexOf(secret.slice(start, start + CHUNK));
      while (at >= 0) {
        if (sharesFragment(text, at, secret, start)) return `${FRAGMENT_CHARS} characters of secret #${index} (${secret.length} characters) appear near offset ${at}`;
        at = text.indexOf(secret.slice(start, start + CHUNK), at + 1);
      }
    }
  }
  return undefined;
}

/** Whether the match of secret[start..start+CHUNK) at text[at..] extends to FRAGMENT_CHARS matching characters. */
function sharesFragment(text: string, at: number, secret: string, start: number): boolean {
  let before = 0;
  while (before < CHUNK && at - before - 1 >= 0 && start - before - 1 >= 0 && text[at - before - 1] === secret[start - before - 1]) before++;
  let after = 0;
  while (after < CHUNK && at + CHUNK + after < text.length && start + CHUNK + after < secret.length && text[at + CHUNK + after] === secret[start + CHUNK + after]) after++;
  return CHUNK + before + after >= FRAGMENT_CHARS;
}
