/**
 * The customer wording of failures that only the service and its setup guide can explain (an
 * error code meaning "no application user", say). The HTTP layer knows statuses and bodies, not
 * what a code means to the customer, so whoever builds the requesters and the authenticator
 * injects one of these.
 */
export interface ErrorDescriber {
  /**
   * The message for a refused response carrying the service error `code`, or undefined when no
   * setup step explains that code (the requester then words a generic refusal). `detail` is the
   * service's own message, which some explanations quote from.
   */
  describeResponse(code: string | undefined, detail: string): string | undefined;
  /** The message when the service rejected a freshly fetched token as well (a second 401). */
  rejectedToken(): string;
  /** The message for an error number of the token endpoint (AADSTS), or undefined when none fits. */
  describeTokenError(code: number): string | undefined;
}
