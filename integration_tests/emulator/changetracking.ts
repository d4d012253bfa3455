/**
 * Change tracking (facts §6): delta tokens, their expiry, and the errors of the feature.
 *
 * A delta token is `<version>!<MM/dd/yyyy HH:mm:ss>` (delta-initial.json: `919042!08/22/2017 08:10:44`),
 * URL-encoded with lowercase escapes in the deltaLink. The version is the org change version the
 * sync saw; the time is the tables' clock then ([INF] UTC).
 */
import { fixtureText } from './fixtures';
import type { EntityDef } from './model';
import { dataverseError, type Reply } from './router';
import { encodeLower } from './skiptoken';

/** A parsed delta token. */
export interface DeltaToken {
  version: number;
  timeMs: number;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `919042!08/22/2017 08:10:44` for version 919042 at that UTC time. */
export function formatDeltaToken(version: number, at: Date): string {
  const date = `${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())}/${at.getUTCFullYear()}`;
  return `${version}!${date} ${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())}`;
}

/** The `$deltatoken` value as it appears in a deltaLink. */
export function encodeDeltaToken(version: number, at: Date): string {
  return encodeLower(formatDeltaToken(version, at));
}

/** A decoded `$deltatoken`, or null when it is not one. */
export function parseDeltaToken(text: string): DeltaToken | null {
  const m = /^(\d+)!(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return null;
  const timeMs = Date.UTC(Number(m[4]), Number(m[2]) - 1, Number(m[3]), Number(m[5]), Number(m[6]), Number(m[7]));
  return Number.isNaN(timeMs) ? null : { version: Number(m[1]), timeMs };
}

interface ErrorFixture {
  error: { code: string; message: string };
}

/** 400 0x80072491 naming the entity (fixture error-change-tracking-not-enabled.json; status [INF]). */
export function notEnabledReply(def: EntityDef): Reply {
  const { error } = JSON.parse(fixtureText('error-change-tracking-not-enabled.json')) as ErrorFixture;
  return dataverseError(400, error.code, error.message.replace('Entity account ', `Entity ${def.logicalName} `));
}

/** 400 0x80044352 (fixture error-delta-token-expired.json; that an old token gets it, and the status, are [INF]). */
export function expiredReply(): Reply {
  const { error } = JSON.parse(fixtureText('error-delta-token-expired.json')) as ErrorFixture;
  return dataverseError(400, error.code, error.message);
}

/** The query options change tracking refuses, in the order they are reported (facts §6). */
export const TRACKING_REFUSED_OPTIONS = ['$filter', '$orderby', '$top', '$expand'] as const;

/** 400 for a query option change tracking refuses; message from the docs, code [INF] (undocumented). */
export function refusedOptionReply(option: string): Reply {
  return dataverseError(400, '0x0', `The "${option}" query parameter isn't supported when Change Tracking is enabled.`);
}

/** 400 for a `$deltatoken` the emulator never issued [INF: wording and code]. */
export function badDeltaTokenReply(): Reply {
  return dataverseError(400, '0x0', 'The $deltatoken value is not valid.');
}
