// A stand-in CSMS that answers every OCPP-J CALL at once with a fixed, schema-valid result and
// stores nothing: `bench ceiling` runs the sessions load against it to measure what the load
// generator, WebSockets and JSON cost on this machine before any server logic or database.
// Run as a child process: node dist/bench/echo-csms.js --port P
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';

type Payload = Record<string, unknown>;
const ACCEPTED = { status: 'Accepted' };

/** The CALLRESULT payload for one CALL; `next` numbers 1.6 transactions. */
export function echoResult(version: '1.6' | '2.0.1', action: string, next: () => number): Payload {
  const now = new Date().toISOString();
  switch (action) {
    case 'BootNotification':
      return { status: 'Accepted', currentTime: now, interval: 300 };
    case 'Heartbeat':
      return { currentTime: now };
    case 'Authorize':
      return version === '1.6' ? { idTagInfo: ACCEPTED } : { idTokenInfo: ACCEPTED };
    case 'StartTransaction':
      return { transactionId: next(), idTagInfo: ACCEPTED };
    case 'DataTransfer':
      return ACCEPTED;
    default:
      return {};
  }
}

function serve(socket: WebSocket, version: '1.6' | '2.0.1', next: () => number): void {
  socket.on('message', (data) => {
    let frame: unknown;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return;
    }
    if (!Array.isArray(frame) || frame[0] !== 2 || typeof frame[1] !== 'string' || typeof frame[2] !== 'string') return;
    socket.send(JSON.stringify([3, frame[1], echoResult(version, frame[2], next)]));
  });
}

export function startEchoCsms(port: number): Promise<() => Promise<void>> {
  let transactionId = 0;
  const next = (): number => ++transactionId;
  const http = createServer((req, res) => {
    res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'text/plain' }).end('ok');
  });
  const wss = new WebSocketServer({
    server: http,
    perMessageDeflate: false,
    handleProtocols: (protocols) => (protocols.has('ocpp2.0.1') ? 'ocpp2.0.1' : protocols.has('ocpp1.6') ? 'ocpp1.6' : false),
  });
  wss.on('connection', (socket) => serve(socket, socket.protocol === 'ocpp1.6' ? '1.6' : '2.0.1', next));
  return new Promise((resolve) => {
    http.listen(port, '127.0.0.1', () =>
      resolve(
        () =>
          new Promise<void>((done) => {
            for (const client of wss.clients) client.terminate();
            wss.close();
            http.close(() => done());
          }),
      ),
    );
  });
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const { values } = parseArgs({ options: { port: { type: 'string' } } });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port <= 0) {
    console.error('echo-csms: --port P is required');
    process.exit(2);
  }
  const stop = await startEchoCsms(port);
  process.once('SIGTERM', () => void stop().then(() => process.exit(0)));
  process.once('SIGINT', () => void stop().then(() => process.exit(0)));
}
