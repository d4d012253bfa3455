/** The DEBUG line every HTTP attempt logs, shared by the requester and MSAL's network module. */

/**
 * The debug line of one HTTP attempt. `what` is the method and the path only: the query (filters,
 * skip tokens) and every header stay out, so no token or secret can reach the log.
 */
export function requestLine(what: string, result: number | string, ms: number, attempt: number): string {
  return `HTTP ${what} -> ${typeof result === 'number' ? result : `no answer (${result})`} in ${Math.round(ms)} ms, attempt ${attempt}`;
}
