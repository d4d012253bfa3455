/**
 * `check`: config -> org host reachable -> token -> WhoAmI -> one record of each check stream. Anything the customer
 * can fix comes back as CONNECTION_STATUS FAILED with the message naming the fix; a defect of the
 * connector itself is thrown (TRACE ERROR).
 */
import { ConnectorError } from '../errors';
import { probeOrgHost } from '../http/reachability';
import { connectionStatusMessage, type AirbyteMessage } from '../protocol/messages';
import type { CommandArgs, CommandDeps } from './deps';
import { parseConfig } from '../config/config';
import { readConfigFile, sourceFor } from './source-for';

export async function* check(args: CommandArgs, deps: CommandDeps): AsyncGenerator<AirbyteMessage> {
  const raw = readConfigFile(args, deps);
  let message: string | undefined;
  try {
    const config = parseConfig(raw);
    // Reachability first: entities patterns make building the source a request (the table listing).
    await probeOrgHost(config.org_url, deps.http.fetch, config.request_timeout_seconds * 1000);
    const declared = await sourceFor(config, deps);
    // The check reads one page per stream: the manifest's overrides keep that page small (built
    // from the expanded config, so patterns are not listed twice).
    const overrides = declared.source.check.configOverrides;
    const source = overrides ? (await sourceFor({ ...declared.config, ...overrides }, deps)).source : declared.source;
    if (source.check.preflight) await source.check.preflight.send({ config, parameters: {} });
    for (const name of source.check.streamNames) {
      const stream = source.streams.find((s) => s.name === name);
      if (!stream) throw new Error(`check stream ${name} is not defined in the manifest`);
      for await (const event of stream.read({ syncMode: 'full_refresh' })) {
        if (event.kind === 'records') break;
      }
    }
  } catch (err) {
    if (!(err instanceof ConnectorError) || !err.customerFacing) throw err;
    message = err.message;
  }
  yield message === undefined ? connectionStatusMessage('SUCCEEDED') : connectionStatusMessage('FAILED', message);
}
