/** `spec`: the connector's Spec, from spec.yaml, in the protocol's camelCase form. */
import { loadSpec } from '../config/spec';
import { specMessage, type AirbyteMessage } from '../protocol/messages';

export async function* spec(): AsyncGenerator<AirbyteMessage> {
  const component = loadSpec();
  yield specMessage({
    documentationUrl: component.documentation_url,
    connectionSpecification: component.connection_specification,
    supportsIncremental: true,
    supported_destination_sync_modes: ['overwrite', 'append', 'append_dedup'],
  });
}
