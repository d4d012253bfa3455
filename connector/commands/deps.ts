/** What every command is given: parsed flags and injected I/O (no globals, so tests can swap any part). */
import type { HttpDeps } from '../http/requester';
import type { Redactor } from '../protocol/redactor';

export interface CommandDeps {
  http: HttpDeps;
  redactor: Redactor;
  now: () => number;
}

export interface CommandArgs {
  config?: string;
  catalog?: string;
  state?: string;
}
