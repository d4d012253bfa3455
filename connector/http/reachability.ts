/**
 * Can the org host be reached at all? One GET of the Web API root without credentials (Dataverse
 * answers 401). Run by `check` before asking for a token, because Entra ID answers a mistyped or
 * unreachable org URL with AADSTS500011, which hides the real cause (DNS, TLS, a closed port).
 */
import { withDeadline } from './deadline';
import { classifyNetworkError, isHostFailure, unreachableHostError } from './network-errors';

export async function probeOrgHost(orgUrl: string, fetchFn: typeof fetch, timeoutMs: number): Promise<void> {
  try {
    await withDeadline(timeoutMs, undefined, 'the reachability probe', async (signal) => {
      const response = await fetchFn(`${orgUrl}/api/data/v9.2/`, { method: 'GET', redirect: 'manual', signal });
      await response.body?.cancel();
    });
  } catch (err) {
    const failure = classifyNetworkError(err);
    // A timeout or reset here is not conclusive; the token request and WhoAmI will say more.
    if (isHostFailure(failure)) throw unreachableHostError(new URL(orgUrl).origin, failure, err);
  }
}
