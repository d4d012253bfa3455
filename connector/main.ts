/**
 * argv -> command -> messages -> stdout. The one top-level catch: any failure becomes exactly one
 * TRACE ERROR (secrets redacted) and exit code 1.
 */
import { commandUsage, parseArgs, usage, type CommandName } from './cli';
import { check } from './commands/check';
import type { CommandArgs, CommandDeps } from './commands/deps';
import { Progress } from './commands/progress';
import { discover } from './commands/discover';
import { read } from './commands/read';
import { spec } from './commands/spec';
import { ConnectorError, InterruptedError } from './errors';
import { proxyVariable, useProxyFromEnv } from './http/proxy';
import { PAGE_REQUESTS_IN_FLIGHT, PAGES_IN_MEMORY, PageSlots } from './http/page-slots';
import { ThrottleGate } from './http/throttle-gate';
import { errorTraceMessage, type FailureType, type Output } from './protocol/messages';
import { Redactor } from './protocol/redactor';
import { MessageWriter, type LineSink } from './protocol/writer';
import { packageVersion } from './version';

type Command = (args: CommandArgs, deps: CommandDeps) => AsyncIterable<Output>;

const COMMAND_TABLE: Readonly<Record<CommandName, Command>> = { spec, check, discover, read };

/** Everything the process touches, injectable for tests. */
export interface MainDeps {
  stdout: LineSink;
  stderr: { write(text: string): unknown; isTTY?: boolean };
  fetch: typeof fetch;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  timeoutMs: number;
  backoffBaseMs?: number;
  /** Aborted on SIGTERM/SIGINT: stop at once, claiming nothing past the records already written. */
  signal?: AbortSignal;
}

function defaultDeps(): MainDeps {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    fetch: globalThis.fetch,
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    // Replaced by the config's request_timeout_seconds once the config is read.
    timeoutMs: 120_000,
    backoffBaseMs: backoffFromEnv(process.env.SOURCE_DATAVERSE_BACKOFF_BASE_MS),
  };
}

/** SOURCE_DATAVERSE_BACKOFF_BASE_MS: the first retry backoff in ms, for tests and debugging (default: the manifest's). */
function backoffFromEnv(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = Number(value);
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`SOURCE_DATAVERSE_BACKOFF_BASE_MS must be a number of milliseconds, found "${value}"`);
  return ms;
}

/** Runs one CLI invocation; resolves with the exit code. */
export async function main(argv: readonly string[], deps: MainDeps = defaultDeps()): Promise<number> {
  const redactor = new Redactor();
  const writer = new MessageWriter(deps.stdout, redactor);
  try {
    const parsed = parseArgs(argv);
    writer.setLogLevel(parsed.logLevel);
    if (parsed.version) {
      await writeText(deps.stdout, `${packageVersion()}\n`);
      return 0;
    }
    if (parsed.help || !parsed.command) {
      deps.stderr.write(parsed.command ? commandUsage(parsed.command) : usage());
      return 0;
    }
    const log = (level: 'INFO' | 'WARN' | 'DEBUG', message: string) => void writer.write({ type: 'LOG', log: { level, message } });
    const commandDeps: CommandDeps = {
      redactor,
      now: deps.now,
      progress: deps.stderr.isTTY ? new Progress(deps.stderr, deps.now) : undefined,
      http: {
        fetch: deps.fetch,
        sleep: deps.sleep,
        now: deps.now,
        random: deps.random,
        timeoutMs: deps.timeoutMs,
        signal: deps.signal,
        backoffBaseMs: deps.backoffBaseMs,
        redact: (text) => redactor.redact(text),
        reachedHosts: new Set(),
        // One per process: every stream and partition of the run shares its limit and its pauses.
        gate: new ThrottleGate({ sleep: deps.sleep, now: deps.now, log }),
        // One per process: however many requests are in flight, this many pages are held at once.
        pageSlots: new PageSlots(PAGES_IN_MEMORY),
        pageRequests: new PageSlots(PAGE_REQUESTS_IN_FLIGHT),
        log,
      },
    };
    for await (const message of COMMAND_TABLE[parsed.command](parsed.flags, commandDeps)) {
      // A STATE after the signal could claim records the platform will not get: stop before it.
      if (deps.signal?.aborted) throw interrupted(deps.signal);
      await writer.write(message);
    }
    await writer.flush();
    return 0;
  } catch (caught) {
    const err = deps.signal?.aborted && !(caught instanceof InterruptedError) ? interrupted(deps.signal) : caught;
    await writer.flush().catch(() => undefined);
    const failureType: FailureType = err instanceof ConnectorError ? err.failureType : 'system_error';
    const error = err instanceof Error ? err : new Error(String(err));
    const internal = err instanceof ConnectorError ? (err.internal ?? `${error.name}: ${error.message}`) : `${error.name}: ${error.message}`;
    const message = err instanceof ConnectorError || error.name === 'ManifestError' ? error.message : `Internal error in source-dataverse: ${error.message}`;
    await writer.write(errorTraceMessage({ message, failureType, internalMessage: internal, stackTrace: error.stack }, deps.now()));
    await writer.flush().catch(() => undefined);
    deps.stderr.write(redactor.redact(`source-dataverse: ${message}\n`));
    return 1;
  }
}

function writeText(sink: LineSink, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (sink.write(text)) resolve();
    else sink.once('drain', () => resolve());
  });
}

function interrupted(signal: AbortSignal): InterruptedError {
  return new InterruptedError(`the connector was stopped by ${String(signal.reason)}; nothing after the last STATE it printed was claimed: resume from that state`);
}

/** Entry point of bin/source-dataverse. */
export function run(argv: readonly string[]): void {
  if (!useProxyFromEnv()) {
    process.stderr.write(`source-dataverse: ${proxyVariable(process.env)} is set but Node ${process.version} cannot route fetch through it; update Node to the latest 24 release\n`);
  }
  const controller = new AbortController();
  for (const name of ['SIGTERM', 'SIGINT'] as const) process.once(name, () => controller.abort(name));
  main(argv, { ...defaultDeps(), signal: controller.signal }).then(
    (code) => {
      process.exitCode = code;
      // Idle keep-alive sockets must not delay the exit of a stopped run.
      if (controller.signal.aborted) process.stdout.write('', () => process.exit(code));
    },
    (err) => {
      process.stderr.write(`source-dataverse: fatal: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
