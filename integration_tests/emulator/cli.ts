/**
 * `npm run emulator`: runs the emulator until SIGINT/SIGTERM, printing a ready connector config
 * (JSON) on stdout so it can be piped or saved, and a one-line hint for humans on stderr.
 */
import * as fs from 'node:fs';
import { startEmulator } from './server';
import { DEFAULT_DOP_HINT, DEFAULT_EXECUTION_BUDGET_MS, DEFAULT_EXECUTION_WINDOW_MS, DEFAULT_LATENCY, DEFAULT_MAX_CONCURRENT_REQUESTS, type LatencyModel, type ServiceOptions } from './service';

const USAGE = `Usage: node dist/integration_tests/emulator/cli.js [--login-port N] [--org-port N] [--seed N] [--config-out FILE] [--rows ENTITY=N] [--latency ...]

Starts the Dataverse + Entra ID emulator and prints a connector config for it on stdout.
  --login-port N     port of the Entra (authority) server on localhost; default: a free port
  --org-port N       port of the Dataverse server on 127.0.0.1; default: a free port
  --seed N           seed for generated ids; default 1
  --config-out FILE  also write the config to FILE
  --rows ENTITY=N    give a default-world entity N generated rows (repeatable), e.g. --rows account=1000;
                     the printed config then lists those entities
  --latency          answer Dataverse requests after a modelled server time: base + per cell (rows x columns
                     returned); default ${DEFAULT_LATENCY.baseMs} ms + ${DEFAULT_LATENCY.perCellMs} ms per cell. Off by default
  --latency-base-ms N       the base of that time (implies --latency)
  --latency-per-cell-ms X   the cost per cell, a decimal (implies --latency)
  --max-concurrent-requests N  simultaneous requests per user before 429 0x80072326; default ${DEFAULT_MAX_CONCURRENT_REQUESTS}
  --execution-budget-ms N      server time per user per window before 429 0x80072321; default ${DEFAULT_EXECUTION_BUDGET_MS}
  --execution-window-ms N      that sliding window; default ${DEFAULT_EXECUTION_WINDOW_MS}
  --dop-hint N       the x-ms-dop-hint header; default ${DEFAULT_DOP_HINT}
  --help             this text
Clients must trust integration_tests/emulator/certs/ca.pem (NODE_EXTRA_CA_CERTS).`;

interface CliOptions {
  loginPort?: number;
  orgPort?: number;
  seed?: number;
  configOut?: string;
  /** entity logical name -> row count */
  rows: Record<string, number>;
  /** Only when a service flag was given. */
  service?: ServiceOptions;
  help: boolean;
}

/** Parses argv (without node and script); throws on anything unknown or malformed. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { help: false, rows: {} };
  const integer = (flag: string, value: string | undefined, min: number, max: number): number => {
    if (value === undefined || !/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new Error(`${flag} needs an integer from ${min} to ${max}, got ${value === undefined ? 'nothing' : `'${value}'`}`);
    }
    return Number(value);
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    switch (flag) {
      case '--help':
      case '-h':
        options.help = true;
        break;
      case '--login-port':
        options.loginPort = integer(flag, argv[++i], 0, 65535);
        break;
      case '--org-port':
        options.orgPort = integer(flag, argv[++i], 0, 65535);
        break;
      case '--seed':
        options.seed = integer(flag, argv[++i], 0, 2 ** 32 - 1);
        break;
      case '--config-out': {
        const file = argv[++i];
        if (!file) throw new Error('--config-out needs a file name');
        options.configOut = file;
        break;
      }
      case '--rows': {
        const spec = /^([a-z0-9_]+)=(\d+)$/.exec(argv[++i] ?? '');
        if (!spec) throw new Error('--rows needs ENTITY=N, e.g. account=1000');
        options.rows[spec[1]] = integer('--rows', spec[2], 0, 10_000_000);
        break;
      }
      default:
        if (!serviceFlag(options, flag, argv[i + 1], integer)) throw new Error(`unknown argument '${flag}'`);
        if (flag !== '--latency') i++;
    }
  }
  return options;
}

type IntegerParser = (flag: string, value: string | undefined, min: number, max: number) => number;

/** Applies one of the service-model flags (service.ts); false when `flag` is not one. */
function serviceFlag(options: CliOptions, flag: string, value: string | undefined, integer: IntegerParser): boolean {
  const service = (options.service ??= {});
  const latency = (): Partial<LatencyModel> => (service.latency = typeof service.latency === 'object' ? service.latency : {});
  switch (flag) {
    case '--latency':
      latency();
      return true;
    case '--latency-base-ms':
      latency().baseMs = integer(flag, value, 0, 600_000);
      return true;
    case '--latency-per-cell-ms':
      if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) throw new Error(`${flag} needs a decimal number of milliseconds, got ${value === undefined ? 'nothing' : `'${value}'`}`);
      latency().perCellMs = Number(value);
      return true;
    case '--max-concurrent-requests':
      service.maxConcurrentRequests = integer(flag, value, 1, 10_000);
      return true;
    case '--execution-budget-ms':
      service.executionBudgetMs = integer(flag, value, 1, 2 ** 31);
      return true;
    case '--execution-window-ms':
      service.executionWindowMs = integer(flag, value, 1, 2 ** 31);
      return true;
    case '--dop-hint':
      service.dopHint = integer(flag, value, 1, 10_000);
      return true;
    default:
      if (Object.keys(service).length === 0) delete options.service;
      return false;
  }
}

async function main(): Promise<void> {
  let options: CliOptions;
  try {
    options = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const emulator = await startEmulator({ loginPort: options.loginPort, orgPort: options.orgPort, seed: options.seed, service: options.service });
  for (const [entity, rowCount] of Object.entries(options.rows)) {
    if (!emulator.world.org.entities[entity]) throw new Error(`--rows: the default world has no entity ${entity} (it has ${Object.keys(emulator.world.org.entities).join(', ')})`);
    emulator.tables.define(entity, { rowCount });
  }
  const entities = Object.keys(options.rows);
  const config = JSON.stringify(emulator.config(entities.length > 0 ? { entities } : {}), null, 2);
  if (options.configOut) fs.writeFileSync(options.configOut, `${config}\n`);
  process.stdout.write(`${config}\n`);
  process.stderr.write(
    `Dataverse emulator: org ${emulator.orgUrl}, login ${emulator.loginUrl}; clients need NODE_EXTRA_CA_CERTS=integration_tests/emulator/certs/ca.pem. Ctrl-C stops it.\n`,
  );
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`emulator failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
