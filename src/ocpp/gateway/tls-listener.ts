import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { Logger } from '../../platform/logger.js';

export interface TlsFiles {
  /** One or more server certificates (chain PEM), e.g. an RSA and an ECDSA one served together. */
  certFiles: string[];
  /** The private keys, in the order of certFiles. */
  keyFiles: string[];
  /** The operator CA that station (client) certificates of security profile 3 must chain to. */
  caFile?: string | undefined;
}

/** A00.FR.313/416: TLS 1.2 or above only. Node's default cipher list holds the A00.FR.318 suites. */
const MIN_TLS_VERSION = 'TLSv1.2';
const RELOAD_DEBOUNCE_MS = 200;

export async function readTlsContext(files: TlsFiles): Promise<SecureContextOptions> {
  if (files.certFiles.length === 0 || files.certFiles.length !== files.keyFiles.length) {
    throw new Error('give as many --tls-key files as --tls-cert files (at least one pair)');
  }
  const [cert, key, ca] = await Promise.all([
    Promise.all(files.certFiles.map((f) => readFile(f, 'utf8'))),
    Promise.all(files.keyFiles.map((f) => readFile(f, 'utf8'))),
    files.caFile ? readFile(files.caFile, 'utf8') : Promise.resolve(undefined),
  ]);
  // Several cert/key pairs of different key types in one context: the TLS stack picks the one
  // the client's signature algorithms accept (RSA and ECDSA stations on one port).
  return { cert, key, ...(ca ? { ca } : {}), minVersion: MIN_TLS_VERSION };
}

/**
 * The TLS listener for security profiles 2 and 3 (OCPP 2.0.1 part 2 A00; 1.6 security
 * whitepaper §2). It asks for a client certificate but lets the handshake finish without one:
 * whether a station needed one is decided per station by the gateway (profile 3), which also
 * sees `authorized` and the peer certificate on the socket.
 */
export class TlsListener {
  readonly server: Server;
  private watchers: FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly files: TlsFiles,
    context: SecureContextOptions,
    private readonly logger: Logger,
  ) {
    this.server = createServer({ ...context, requestCert: true, rejectUnauthorized: false }, (_req, res) => {
      // Only WebSocket upgrades are served here; the REST API stays on the plain port.
      res.writeHead(426, { connection: 'close', upgrade: 'websocket' }).end();
    });
    this.server.on('tlsClientError', (err) => this.logger.debug({ err: err.message }, 'TLS handshake failed'));
  }

  static async create(files: TlsFiles, logger: Logger): Promise<TlsListener> {
    return new TlsListener(files, await readTlsContext(files), logger);
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, backlog: 4096 }, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Re-reads the certificate files; new handshakes use them, open connections keep theirs. */
  async reload(): Promise<void> {
    const context = await readTlsContext(this.files);
    this.server.setSecureContext({ ...context });
    this.logger.info({ certFiles: this.files.certFiles }, 'TLS certificates reloaded');
  }

  /** Reloads when a certificate, key or CA file changes (renewal tools replace files in place). */
  watchFiles(): void {
    const all = [...this.files.certFiles, ...this.files.keyFiles, ...(this.files.caFile ? [this.files.caFile] : [])];
    for (const file of all) {
      const watcher = watch(file, { persistent: false }, () => this.scheduleReload());
      watcher.on('error', (err) => this.logger.warn({ err, file }, 'cannot watch TLS file'));
      this.watchers.push(watcher);
    }
  }

  private scheduleReload(): void {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.reload().catch((err: unknown) => this.logger.error({ err }, 'TLS reload failed; keeping the previous certificates'));
    }, RELOAD_DEBOUNCE_MS);
    this.reloadTimer.unref();
  }

  async close(): Promise<void> {
    if (this.reloadTimer) clearTimeout(this.reloadTimer);
    for (const w of this.watchers) w.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
