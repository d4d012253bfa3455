/** The schemas every printed message is checked against can reject: a validator that accepts anything proves nothing. */
import { assertValidMessage, HAS_SHARED_AIRBYTE, officialSchemaChecked } from '../helpers/messages';

test('the official Airbyte protocol schema is used wherever ../shared/airbyte exists', () => {
  expect(officialSchemaChecked()).toBe(HAS_SHARED_AIRBYTE);
  if (process.env.CI) expect(HAS_SHARED_AIRBYTE).toBe(true);
});

test.each([
  ['RECORD without emitted_at', { type: 'RECORD', record: { stream: 's', data: {} } }],
  ['RECORD with a float emitted_at', { type: 'RECORD', record: { stream: 's', data: {}, emitted_at: 1.5 } }],
  ['LEGACY state', { type: 'STATE', state: { type: 'LEGACY', data: {} } }],
  ['STREAM state without sourceStats', { type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 's' }, stream_state: {} } } }],
  ['snake_case connection_status', { type: 'CONNECTION_STATUS', connection_status: { status: 'SUCCEEDED' } }],
  ['unknown status', { type: 'CONNECTION_STATUS', connectionStatus: { status: 'OK' } }],
  ['TRACE ERROR without failure_type', { type: 'TRACE', trace: { type: 'ERROR', emitted_at: 1, error: { message: 'x' } } }],
])('rejects %s', (_name, message) => {
  expect(() => assertValidMessage(message)).toThrow(/message breaks the/);
});

test('accepts a well-formed STREAM state', () => {
  expect(() =>
    assertValidMessage({ type: 'STATE', state: { type: 'STREAM', stream: { stream_descriptor: { name: 's' }, stream_state: {} }, sourceStats: { recordCount: 3 } } }),
  ).not.toThrow();
});
