/**
 * Every secret any emulator of this test process knows: the client secrets of its world and the
 * access tokens it issued. The CLI test helper scans every run's output against it, so a leak is
 * caught by whichever test happens to provoke it, not only by the tests written to look for one.
 */
import type { World } from './world';

const sources = new Set<() => string[]>();

/** Called by startEmulator for each emulator; the source stays after close (outputs may still be checked). */
export function registerSecrets(world: World, issuedTokens: () => string[]): void {
  sources.add(() => [...Object.values(world.tenants).flatMap((t) => Object.values(t.apps).flatMap((a) => a.secrets.map((s) => s.value))), ...issuedTokens()]);
}

/** The secrets and tokens of every emulator started in this process so far. */
export function knownSecrets(): string[] {
  return [...new Set([...sources].flatMap((source) => source()))];
}
