/** What every command is given: parsed flags and injected I/O (no globals, so tests can swap any part). */
import type { HttpDeps } from '../http/requester';
import type { Redactor } from '../protocol/redactor';
import type { Progress } from './progress';

export interface CommandDeps {
  http: HttpDeps;
  redactor: Redactor;
  now: () => number;
  /** Present when stderr is a terminal. */
  progress?: Progress;
  /**
   * How many streams and partitions `read` may read at once, asked whenever one could start (a
   * throttle gate's limit). Absent: the config's `max_parallel_requests`, else 1.
   */
  workers?: () => number;
}

export interface CommandArgs {
  config?: string;
  catalog?: string;
  state?: string;
}
