/**
 * `check`: config -> org host reachable -> token -> WhoAmI -> one record of each check stream (of
 * the entity streams, those named exactly; `entities` patterns are checked by matching). Anything the customer
 * can fix comes back as CONNECTION_STATUS FAILED with the message naming the fix; a defect of the
 * connector itself is thrown (TRACE ERROR).
 */
import { ConnectorError } from '../errors';
import { probeOrgHost } from '../http/reachability';
import { connectionStatusMessage, type AirbyteMessage } from '../protocol/messages';
import type { CommandArgs, CommandDeps } from './deps';
import { parseConfig } from '../config/config';
import { isPattern } from '../dataverse/entity-patterns';
import { DATAVERSE_EXTENSIONS } from '../dataverse/components';
import { buildSource } from '../manifest/source';
import { readConfigFile, sourceFor } from './source-for';

export async function* check(args: CommandArgs, deps: CommandDeps): AsyncGenerator<AirbyteMessage> {
  const raw = readConfigFile(args, deps);
  let message: string | undefined;
  try {
    const config = parseConfig(raw);
    // Reachability first: entities patterns make building the source a request (the table listing).
    await probeOrgHost(config.org_url, deps.http.fetch, config.request_timeout_seconds * 1000);
    // The check reads one page per stream: the manifest's overrides keep that page small. They are
    // the manifest's whatever the entities, so a build without any gives them with no request.
    const overrides = buildSource({ config: { ...config, entities: [] }, http: deps.http, redactor: deps.redactor, extensions: DATAVERSE_EXTENSIONS }).check.configOverrides;
    const { source, config: expanded } = await sourceFor({ ...config, ...overrides }, deps);
    if (source.check.preflight) await source.check.preflight.send({ config, parameters: {} });
    // Tables a pattern stands for are proven by the listing that matched them, not one by one: `*`
    // on a real org is hundreds of tables, and a table the role cannot read fails its own stream.
    const matched = patternMatches(config.entities, expanded.entities);
    for (const name of source.check.streamNames.filter((n) => !matched.has(n))) {
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

/** The tables in `expanded` that only a pattern of `items` put there (none when there is no pattern). */
function patternMatches(items: readonly string[] | undefined, expanded: readonly string[] | undefined): Set<string> {
  if (!items?.some(isPattern)) return new Set();
  const exact = new Set(items.filter((i) => !isPattern(i)).map((i) => i.toLowerCase()));
  return new Set((expanded ?? []).filter((name) => !exact.has(name.toLowerCase())));
}
