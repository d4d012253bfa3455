/**
 * `npm run emulator`: runs the emulator until SIGINT/SIGTERM, printing a ready connector config
 * (JSON) on stdout so it can be piped or saved, and a one-line hint for humans on stderr.
 */
import * as fs from 'node:fs';
import { startEmulator } from './server';

const USAGE = `Usage: node dist/integration_tests/emulator/cli.js [--login-port N] [--org-port N] [--seed N] [--config-out FILE]

Starts the Dataverse + Entra ID emulator and prints a connector config for it on stdout.
  --login-port N     port of the Entra (authority) server on localhost; default: a free port
  --org-port N       port of the Dataverse server on 127.0.0.1; default: a free port
  --seed N           seed for generated ids; default 1
  --config-out FILE  also write the config to FILE
  --rows ENTITY=N    give a default-world entity N generated rows (repeatable), e.g. --rows account=1000;
                     the printed config then lists those entities
  --help             this text
Clients must trust integration_tests/emulator/certs/ca.pem (NODE_EXTRA_CA_CERTS).`;

interface CliOptions {
  loginPort?: number;
  orgPort?: number;
  seed?: number;
  configOut?: string;
  /** entity logical name -> row count */
  rows: Record<string, number>;
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
        throw new Error(`unknown argument '${flag}'`);
    }
  }
  return options;
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
  const emulator = await startEmulator({ loginPort: options.loginPort, orgPort: options.orgPort, seed: options.seed });
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
