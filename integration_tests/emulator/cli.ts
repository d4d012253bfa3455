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
  --help             this text
Clients must trust integration_tests/emulator/certs/ca.pem (NODE_EXTRA_CA_CERTS).`;

interface CliOptions {
  loginPort?: number;
  orgPort?: number;
  seed?: number;
  configOut?: string;
  help: boolean;
}

/** Parses argv (without node and script); throws on anything unknown or malformed. */
export function parseCliArgs(argv: readonly string[]): CliOptions {
  const options: CliOptions = { help: false };
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
  const config = JSON.stringify(emulator.config(), null, 2);
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
