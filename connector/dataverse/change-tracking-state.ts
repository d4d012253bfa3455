/**
 * The states an entity stream writes, checked before any stream is read: `{deltatoken}` after a
 * change-tracking read, `{deltatoken?, resume_link, page_size?}` in the middle of one, or the datetime
 * cursor's `{modifiedon}` (entities without change tracking, or after falling back to it). A
 * stream whose entity changed between runs may hold the other kind: the read then starts over,
 * so either kind is accepted; a mix of both, or any other key, is not one this connector wrote.
 */
import { kindOf, quote } from '../config/quote';
import { ConfigError } from '../errors';
import { linkProblem } from '../http/links';
import type { IncrementalSync } from '../streams/incremental';
import { ownStateKeys, pageSizeProblem, unknownStateKeys } from '../streams/state-keys';

/** `page_size` goes with a `resume_link` saved by a walk that read fewer rows per page than configured (large rows). */
export const CHANGE_TRACKING_KEYS = ['deltatoken', 'resume_link', 'page_size'] as const;

/** Longest `$deltatoken` accepted: Dataverse's are `<version>!<MM/dd/yyyy HH:mm:ss>`, about 30 characters (facts §5). */
export const MAX_DELTA_TOKEN_LENGTH = 1024;

const RESTART = 'start from a state printed by this connector';

/**
 * Why `value` cannot be a saved `$deltatoken`, or undefined when it can. The one space between
 * the token's date and time is part of it, so only other whitespace (line breaks, tabs), control
 * characters and spaces at either end are refused.
 */
export function deltaTokenProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return `is ${kindOf(value)}, not a string`;
  if (value === '') return 'is empty';
  if (value.length > MAX_DELTA_TOKEN_LENGTH) return `is ${value.length} characters long, more than the ${MAX_DELTA_TOKEN_LENGTH} a delta token can be`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]|[^\S ]/.test(value) || value.trim() !== value) return `${quote(value)} holds line breaks, tabs or spaces at its ends`;
  return undefined;
}

/**
 * Throws a ConfigError (worded relative to the stream's state) when `state` is not one an
 * entity stream writes. `entitySetUrls` gives the URL of each entity set the stream reads; it may
 * cost a metadata request, so it is only asked when the state holds a `resume_link`.
 */
export async function checkChangeTrackingState(state: Record<string, unknown>, cursor: IncrementalSync, entitySetUrls: () => Promise<string[]>): Promise<void> {
  const cursorKeys = cursor.cursorField;
  const unknown = unknownStateKeys(state, [...CHANGE_TRACKING_KEYS, ...cursorKeys]);
  if (unknown) {
    throw new ConfigError(`stream_state holds ${unknown}, which this stream never writes (it keeps deltatoken, resume_link and page_size, or ${cursorKeys.join(', ')}): ${RESTART}`);
  }
  const keys = ownStateKeys(state);
  const tracked = keys.filter((k) => (CHANGE_TRACKING_KEYS as readonly string[]).includes(k));
  if (tracked.length === 0) {
    await cursor.checkState?.(state);
    return;
  }
  if (tracked.length < keys.length) {
    throw new ConfigError(`stream_state holds both ${tracked.join(' and ')} (change tracking) and ${keys.filter((k) => !tracked.includes(k)).join(', ')} (the datetime cursor); a state holds one or the other: ${RESTART}`);
  }
  if (state.deltatoken !== undefined) {
    const problem = deltaTokenProblem(state.deltatoken);
    if (problem) throw new ConfigError(`deltatoken ${problem}: ${RESTART}`);
  }
  const link = state.resume_link;
  const size = state.page_size;
  if (size !== undefined) {
    if (link === undefined) throw new ConfigError(`stream_state holds page_size without resume_link: ${RESTART}`);
    const problem = pageSizeProblem(size);
    if (problem) throw new ConfigError(`page_size ${problem}: ${RESTART}`);
  }
  if (link === undefined) return;
  if (typeof link !== 'string') throw new ConfigError(`resume_link is ${kindOf(link)}, not a link: ${RESTART}`);
  if (link.length > 8192) throw new ConfigError(`resume_link is ${link.length} characters long, longer than any page link Dataverse hands out: ${RESTART}`);
  for (const start of await entitySetUrls()) {
    const problem = linkProblem(link, start);
    if (problem) throw new ConfigError(`resume_link ${problem}: ${RESTART}`);
  }
}
