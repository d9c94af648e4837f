import { parseServeConfig, SERVE_HELP } from '../config/config.js';
import { startAmpline } from '../app/app.js';
import { StartupError } from '../platform/errors.js';

export async function runServe(argv: string[]): Promise<number> {
  const config = parseServeConfig(argv);
  if (config === 'help') {
    process.stdout.write(`${SERVE_HELP}\n`);
    return 0;
  }
  let app;
  try {
    app = await startAmpline(config);
  } catch (err) {
    if (err instanceof StartupError) throw err;
    throw new StartupError((err as Error).message);
  }
  const started = app;
  process.stdout.write(
    `Ampline is running: API ${started.baseUrl}/api/v1, OCPP ${started.ocppUrl}/{stationId}, database ${started.databaseKind}\n`,
  );
  if (started.tls) process.stdout.write(`OCPP over TLS (security profiles 2 and 3): ${started.tls.url}/{stationId}\n`);
  let demo: { stop(): Promise<void> } | undefined;
  if (config.demo) {
    const { startDemo } = await import('./demo.js');
    demo = await startDemo(started);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('Ampline: shutting down\n');
  await demo?.stop();
  await started.close();
  return 0;
}
