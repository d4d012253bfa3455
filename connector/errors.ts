/**
 * One error class per failure kind. Each carries the Airbyte failure_type it maps to and a
 * message written for the person who has to fix it; `internal` keeps the raw detail for engineers.
 * Nothing here may hold a secret: messages are built from ids, hosts and service error codes only.
 */
import type { FailureType } from './protocol/messages';

export abstract class ConnectorError extends Error {
  abstract readonly failureType: FailureType;
  /** True when the customer's configuration or environment is at fault (check answers FAILED, not a crash). */
  abstract readonly customerFacing: boolean;
  readonly internal?: string;

  constructor(message: string, options?: { internal?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.internal = options?.internal;
  }
}

/** The config, catalog or state given to the connector is wrong. */
export class ConfigError extends ConnectorError {
  readonly failureType = 'config_error' as const;
  readonly customerFacing = true;
}

/** Microsoft Entra ID refused to issue a token (wrong secret, unknown app or tenant, ...). */
export class AuthenticationError extends ConnectorError {
  readonly failureType = 'config_error' as const;
  readonly customerFacing = true;
  constructor(
    message: string,
    readonly aadstsCode?: number,
    options?: { internal?: string; cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The org URL or authority host cannot be reached, or its TLS certificate is not trusted. */
export class UnreachableHostError extends ConnectorError {
  readonly failureType = 'config_error' as const;
  readonly customerFacing = true;
}

/** Dataverse answered with an error that retrying will not fix (4xx other than 429). */
export class DataverseError extends ConnectorError {
  readonly customerFacing: boolean;
  readonly failureType: FailureType;
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | undefined,
    options?: { internal?: string; cause?: unknown; customerFacing?: boolean },
  ) {
    super(message, options);
    this.customerFacing = options?.customerFacing ?? (status === 401 || status === 403 || status === 404);
    this.failureType = this.customerFacing ? 'config_error' : 'system_error';
  }
}

/** A failure that may pass by itself: throttling, 5xx, resets or timeouts that outlasted the retries. */
export class TransientError extends ConnectorError {
  readonly failureType = 'transient_error' as const;
  readonly customerFacing = true;
}

/** The service answered something the connector cannot use: malformed JSON, a foreign or repeating nextLink. */
export class ResponseError extends ConnectorError {
  readonly failureType = 'system_error' as const;
  readonly customerFacing = false;
}

/** The read was stopped by a signal; nothing past the last written state is claimed. */
export class InterruptedError extends ConnectorError {
  readonly failureType = 'transient_error' as const;
  readonly customerFacing = false;
}
