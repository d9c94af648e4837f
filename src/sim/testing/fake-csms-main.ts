// Runs the fake CSMS as a process with the server's command line
// (`serve --port P [--data D --auto-register --log-level L] [--no-compression]`, other flags
// ignored; like the server it offers permessage-deflate unless --no-compression), so the
// load generator and the bench can be tried without the real server:
//   npm run bench -- connect --stations 19000 --server-entry dist/sim/testing/fake-csms-main.js
import { parseArgs } from 'node:util';
import { FakeCsms } from './fake-csms.js';

const { values } = parseArgs({
  args: process.argv.slice(2),
  strict: false,
  allowPositionals: true,
  options: { port: { type: 'string' }, password: { type: 'string' }, 'no-compression': { type: 'boolean' } },
});

const port = Number(values.port ?? 8180);
const csms = await FakeCsms.start({
  port,
  record: false,
  deflate: values['no-compression'] !== true,
  ...(typeof values.password === 'string' ? { password: values.password } : {}),
});
console.log(JSON.stringify({ msg: 'listening', port: csms.port, fake: true }));

const stop = (): void => {
  void csms.close().finally(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
