import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StartupError, isDomainError } from '../platform/errors.js';
import { parseCommandArgs } from './args.js';
import { CertificateAuthority, type CertificateUsage, type KeyKind } from '../modules/security/index.js';

const HELP = `Usage: ampline ca <command> [options]

  ca init [--dir DIR] [--key ecdsa|rsa] [--cn NAME] [--org NAME]
        create the built-in root CA (ca-key.pem, ca-cert.pem) in DIR (default DATA/ca);
        "ampline serve" then signs station CSRs (SignCertificate) with it
  ca issue <commonName> --usage server|station [--host NAME]... [--key ecdsa|rsa] [--out DIR]
        issue a key and certificate from that CA: a server certificate for --tls-cert/--tls-key
        (--host for each DNS name or IP) or a station certificate for security profile 3 labs

  --data DIR   data directory (env AMPLINE_DATA, default ./data)`;

function kindOf(raw: string | undefined): KeyKind {
  if (raw === undefined || raw === 'ecdsa') return 'ecdsa';
  if (raw === 'rsa') return 'rsa';
  throw new StartupError(`--key must be ecdsa or rsa, got "${raw}"`);
}

export async function runCaCommand(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs('ca', argv, {
    dir: { type: 'string' },
    key: { type: 'string' },
    cn: { type: 'string' },
    org: { type: 'string' },
    usage: { type: 'string' },
    host: { type: 'string', multiple: true },
    out: { type: 'string' },
  });
  const { values, positionals } = parsed;
  const [sub, name] = positionals;
  if (values.help || sub === undefined) {
    process.stdout.write(`${HELP}\n`);
    return values.help ? 0 : 2;
  }
  const dir = values.dir ?? join(values.data ?? process.env['AMPLINE_DATA'] ?? './data', 'ca');
  if (sub === 'init') {
    try {
      const ca = await CertificateAuthority.init(dir, { kind: kindOf(values.key), commonName: values.cn, organization: values.org });
      process.stdout.write(`CA created in ${dir} (${ca.kind}): ${ca.certificate.subject}\n`);
      return 0;
    } catch (err) {
      if (isDomainError(err)) throw new StartupError(err.message);
      throw err;
    }
  }
  if (sub === 'issue') {
    if (!name) throw new StartupError('ca issue needs a commonName (a host name or a station id)');
    if (values.usage !== 'server' && values.usage !== 'station') throw new StartupError('--usage must be server or station');
    if (!CertificateAuthority.exists(dir)) throw new StartupError(`no CA in ${dir}; run "ampline ca init" first`);
    const ca = await CertificateAuthority.load(dir);
    const usage: CertificateUsage = values.usage === 'server' ? 'server' : 'client';
    const issued = await ca.issueWithKey(kindOf(values.key), name, usage, values.host ?? (usage === 'server' ? [name] : []));
    const out = values.out ?? '.';
    await mkdir(out, { recursive: true });
    const base = join(out, name.replace(/[^A-Za-z0-9._-]/g, '_'));
    await writeFile(`${base}-key.pem`, issued.privateKeyPem, { mode: 0o600 });
    await writeFile(`${base}-cert.pem`, issued.certificatePem);
    process.stdout.write(`wrote ${base}-cert.pem and ${base}-key.pem\n`);
    return 0;
  }
  process.stderr.write(`ampline ca: unknown command "${sub}"\n\n${HELP}\n`);
  return 2;
}
