/**
 * Locating the emulator's committed assets (certificates, response fixtures).
 *
 * The emulator runs both from source (ts-jest) and compiled (`dist/integration_tests/emulator`,
 * `npm run emulator`); the assets are not copied by tsc, so both layouts must find the source tree.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Absolute path of `integration_tests/emulator/<dir>` from either layout. */
export function assetDir(dir: 'certs' | 'fixtures'): string {
  const beside = path.join(__dirname, dir);
  if (fs.existsSync(beside)) return beside;
  // dist/integration_tests/emulator -> <repo>/integration_tests/emulator
  return path.resolve(__dirname, '..', '..', '..', 'integration_tests', 'emulator', dir);
}

const cache = new Map<string, string>();

/** The text of `fixtures/<name>`, read once. */
export function fixtureText(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = fs.readFileSync(path.join(assetDir('fixtures'), name), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** A fresh parsed copy of `fixtures/<name>` (callers may mutate it). */
export function loadFixture<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}
