/**
 * argv -> command -> messages -> stdout. The one top-level catch: any failure becomes exactly one
 * TRACE ERROR (secrets redacted) and exit code 1.
 */
import { commandUsage, parseArgs, usage, type CommandName } from './cli';
import { check } from './commands/check';
import type { CommandArgs, CommandDeps } from './commands/deps';
import { discover } from './commands/discover';
import { read } from './commands/read';
import { spec } from './commands/spec';
import { ConnectorError } from './errors';
import { errorTraceMessage, type AirbyteMessage, type FailureType } from './protocol/messages';
import { Redactor } from './protocol/redactor';
import { MessageWriter, type LineSink } from './protocol/writer';

type Command = (args: CommandArgs, deps: CommandDeps) => AsyncIterable<AirbyteMessage>;

const COMMAND_TABLE: Readonly<Record<CommandName, Command>> = { spec, check, discover, read };

/** Everything the process touches, injectable for tests. */
export interface MainDeps {
  stdout: LineSink;
  stderr: { write(text: string): unknown };
  fetch: typeof fetch;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  timeoutMs: number;
}

function defaultDeps(): MainDeps {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    fetch: globalThis.fetch,
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    timeoutMs: Number(process.env.SOURCE_DATAVERSE_TIMEOUT_MS) || 120_000,
  };
}

/** Runs one CLI invocation; resolves with the exit code. */
export async function main(argv: readonly string[], deps: MainDeps = defaultDeps()): Promise<number> {
  const redactor = new Redactor();
  const writer = new MessageWriter(deps.stdout, redactor);
  try {
    const parsed = parseArgs(argv);
    if (parsed.help || !parsed.command) {
      deps.stderr.write(parsed.command ? commandUsage(parsed.command) : usage());
      return 0;
    }
    const commandDeps: CommandDeps = {
      redactor,
      now: deps.now,
      http: {
        fetch: deps.fetch,
        sleep: deps.sleep,
        now: deps.now,
        random: deps.random,
        timeoutMs: deps.timeoutMs,
        log: (level, message) => void writer.write({ type: 'LOG', log: { level, message } }),
      },
    };
    for await (const message of COMMAND_TABLE[parsed.command](parsed.flags, commandDeps)) await writer.write(message);
    await writer.flush();
    return 0;
  } catch (err) {
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

/** Entry point of bin/source-dataverse. */
export function run(argv: readonly string[]): void {
  main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`source-dataverse: fatal: ${String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
