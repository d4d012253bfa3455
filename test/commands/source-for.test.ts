/** sourceFor hands the config's max_parallel_requests to the process's throttle gate. */
import { sourceFor } from '../../connector/commands/source-for';
import type { CommandDeps } from '../../connector/commands/deps';
import { parseConfig } from '../../connector/config/config';
import { ThrottleGate } from '../../connector/http/throttle-gate';
import { Redactor } from '../../connector/protocol/redactor';

const good = {
  org_url: 'https://contoso.crm4.dynamics.com',
  tenant_id: 'f6976b02-5a42-4e90-ac3d-8bf516ce0859',
  client_id: 'a8fdfbd0-da97-42d9-8f1a-fd6a7cb650b4',
  client_secret: 'very-secret-value-123',
};

function deps(gate: ThrottleGate): CommandDeps {
  const refuse = (async () => {
    throw new Error('no request expected');
  }) as typeof fetch;
  return {
    redactor: new Redactor(),
    now: Date.now,
    http: { fetch: refuse, sleep: async () => undefined, now: Date.now, random: Math.random, log: () => undefined, timeoutMs: 1000, gate },
  };
}

test.each([
  [{ max_parallel_requests: 7 }, { limit: 7, ceiling: 7, ceilingSource: 'config' }],
  [{ max_parallel_requests: 1 }, { limit: 1, ceiling: 1, ceilingSource: 'config' }],
  [{}, { limit: 1, ceiling: 1, ceilingSource: 'initial' }],
])('config %j gives the gate %j', async (extra, state) => {
  const gate = new ThrottleGate({ sleep: async () => undefined, now: Date.now });
  await sourceFor(parseConfig({ ...good, ...extra }), deps(gate));
  expect(gate.state).toEqual(state);
});
