/** `discover`: one CATALOG with every stream's schema, sync modes, primary key and cursor. */
import { catalogMessage, type AirbyteMessage, type AirbyteStream } from '../protocol/messages';
import type { DeclarativeStream } from '../streams/declarative-stream';
import type { CommandArgs, CommandDeps } from './deps';
import { withSteadyNewSpace } from './memory';
import { readConfig, sourceFor } from './source-for';

export async function describeStream(stream: DeclarativeStream): Promise<AirbyteStream> {
  const capabilities = await stream.capabilities();
  const description: AirbyteStream = {
    name: stream.name,
    json_schema: await stream.jsonSchema(),
    supported_sync_modes: capabilities.supportedSyncModes as AirbyteStream['supported_sync_modes'],
    source_defined_primary_key: await stream.primaryKey(),
    is_resumable: capabilities.supportedSyncModes.includes('incremental'),
  };
  if (capabilities.sourceDefinedCursor) description.source_defined_cursor = true;
  if (capabilities.cursorField.length > 0) description.default_cursor_field = capabilities.cursorField;
  return description;
}

export async function* discover(args: CommandArgs, deps: CommandDeps): AsyncGenerator<AirbyteMessage> {
  const config = readConfig(args, deps);
  // One burst of short-lived objects per stream (a thousand with `entities: ["*"]`): see withSteadyNewSpace.
  const streams = await withSteadyNewSpace(async () => {
    const { source } = await sourceFor(config, deps);
    const described: AirbyteStream[] = [];
    for (const stream of source.streams) described.push(await describeStream(stream));
    return described;
  });
  yield catalogMessage(streams);
}
