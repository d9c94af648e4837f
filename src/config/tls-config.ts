import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StartupError } from '../platform/errors.js';

export interface TlsConfig {
  port: number;
  certFiles: string[];
  keyFiles: string[];
  caFile: string | undefined;
}

export const TLS_HELP = `  --tls-port N           TLS listener for security profiles 2 and 3 (env AMPLINE_TLS_PORT)
  --tls-cert FILE        server certificate (PEM); repeat to serve RSA and ECDSA together
  --tls-key FILE         its private key; one per --tls-cert, same order
  --tls-ca FILE          operator CA that profile-3 station certificates must chain to
  --ca-dir DIR           built-in CA made by "ampline ca init" (default DATA/ca when present)
                         certificates reload on file change and on SIGHUP`;

export const TLS_OPTIONS = {
  'tls-port': { type: 'string' },
  'tls-cert': { type: 'string', multiple: true },
  'tls-key': { type: 'string', multiple: true },
  'tls-ca': { type: 'string' },
  'ca-dir': { type: 'string' },
} as const;

interface TlsValues {
  'tls-port'?: string | undefined;
  'tls-cert'?: string[] | undefined;
  'tls-key'?: string[] | undefined;
  'tls-ca'?: string | undefined;
  'ca-dir'?: string | undefined;
}

function list(flag: string[] | undefined, env: string | undefined): string[] {
  return flag ?? (env ? env.split(',').map((f) => f.trim()).filter(Boolean) : []);
}

/** The TLS and CA part of `ampline serve`; missing files are a start-up error naming the flag. */
export function parseTlsOptions(values: TlsValues, env: NodeJS.ProcessEnv, dataDir: string): { tls?: TlsConfig; caDir?: string } {
  const result: { tls?: TlsConfig; caDir?: string } = {};
  const caDir = values['ca-dir'] ?? env['AMPLINE_CA_DIR'];
  if (caDir) {
    if (!existsSync(caDir)) throw new StartupError(`--ca-dir ${caDir} does not exist (create it with "ampline ca init --dir ${caDir}")`);
    result.caDir = caDir;
  } else if (existsSync(join(dataDir, 'ca', 'ca-cert.pem'))) {
    result.caDir = join(dataDir, 'ca');
  }
  const rawPort = values['tls-port'] ?? env['AMPLINE_TLS_PORT'];
  if (rawPort === undefined || rawPort === '') return result;
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new StartupError(`--tls-port must be a whole number from 0 to 65535, got "${rawPort}"`);
  const certFiles = list(values['tls-cert'], env['AMPLINE_TLS_CERT']);
  const keyFiles = list(values['tls-key'], env['AMPLINE_TLS_KEY']);
  if (certFiles.length === 0) throw new StartupError('--tls-port needs --tls-cert and --tls-key');
  if (certFiles.length !== keyFiles.length) throw new StartupError('give one --tls-key per --tls-cert, in the same order');
  const caFile = values['tls-ca'] ?? env['AMPLINE_TLS_CA'];
  for (const [flag, file] of [...certFiles.map((f) => ['--tls-cert', f]), ...keyFiles.map((f) => ['--tls-key', f]), ...(caFile ? [['--tls-ca', caFile]] : [])]) {
    if (!existsSync(file!)) throw new StartupError(`${flag} ${file} does not exist`);
  }
  result.tls = { port, certFiles, keyFiles, caFile };
  return result;
}
