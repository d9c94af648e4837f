// How a connect benchmark result reads on a terminal.
import { buildLabel, fmtMb, fmtMs, table } from './report.js';
import type { CompressionResult, ConnectBenchResult, PhaseResult } from './connect.js';

export function renderConnectResult(r: ConnectBenchResult): string {
  const phases: [string, PhaseResult | null][] = [
    ['connect', r.connect],
    ['storm', r.storm],
  ];
  const row = (label: string, cell: (p: PhaseResult) => string): string[] => [
    label,
    ...phases.map(([, p]) => (p ? cell(p) : '-')),
  ];
  const lines = [
    `connect benchmark: ${r.config.stations} stations (OCPP ${r.config.ocpp}, ${r.config.connectors} connectors), ` +
      `${r.config.workers} sim workers, ${r.machine.cpus} CPUs, node ${r.machine.node}, ${buildLabel(r.machine)}`,
    `permessage-deflate: ${r.compression.offered ? 'offered' : 'not offered'} by the stations, ` +
      `negotiated on ${r.compression.negotiated} of ${r.compression.open} open sockets` +
      (r.config.serverArgs.length > 0 ? ` (server args: ${r.config.serverArgs.join(' ')})` : ''),
    '',
    table([
      ['', 'connect', 'storm (drop all, reconnect all)'],
      row('all ready after', (p) => fmtMs(p.durationMs)),
      row('all Accepted after', (p) => fmtMs(p.allAcceptedMs)),
      row('stations/s (ready)', (p) => (p.stationsPerSecond === null ? '-' : String(p.stationsPerSecond))),
      row('accepted / ready', (p) => `${p.accepted} / ${p.ready}`),
      row('errors', (p) => String(p.errors)),
      row('drops by server', (p) => String(p.drops)),
      row('rtt p50 / p99', (p) => `${fmtMs(p.latency.p50Ms)} / ${fmtMs(p.latency.p99Ms)}`),
      row('handshake p50 / p99', (p) => `${fmtMs(p.handshake.p50Ms)} / ${fmtMs(p.handshake.p99Ms)}`),
      row('Boot rtt p50 / p99', (p) => {
        const boot = p.latencyByAction.BootNotification;
        return boot ? `${fmtMs(boot.p50Ms)} / ${fmtMs(boot.p99Ms)}` : '-';
      }),
      row('timed out', (p) => (p.timedOut ? 'yes' : 'no')),
    ]),
    '',
    table([
      ['server memory (RSS, process tree)', ''],
      ['baseline', fmtMb(r.server.baseline?.rssKb)],
      ['after connect', fmtMb(r.server.afterConnect?.rssKb)],
      ['per station', fmtKb(r.server.rssPerStationKb)],
      ...(r.compression.largeFrame
        ? [
            [`after large frames (${largeFrameLabel(r.compression)})`, fmtMb(r.server.afterLargeFrames?.rssKb)],
            ['per station after large frames', fmtKb(r.server.rssPerStationAfterLargeFramesKb)],
          ]
        : []),
      ['after storm', fmtMb(r.server.afterStorm?.rssKb)],
      ['peak (VmHWM)', fmtMb((r.server.afterStorm ?? r.server.afterLargeFrames ?? r.server.afterConnect)?.peakRssKb)],
      ['load generator (all workers)', `${fmtMb(r.sim.rssKb)} (${r.sim.perStationKb.toFixed(1)} kB/station)`],
      ...(r.sim.afterLargeFramesRssKb !== null ? [['load generator after large frames', fmtMb(r.sim.afterLargeFramesRssKb)]] : []),
    ]),
  ];
  const large = r.compression.largeFrame;
  if (large) {
    lines.push(
      '',
      `large frames (${large.bytes} characters of data): up ${large.up.sent} sent, ${large.up.results} CALLRESULT, ` +
        `${large.up.callErrors} CALLERROR, ${large.up.failed} failed` +
        (large.down ? `; down ${large.down.sent} sent, ${large.down.answered} answered, ${large.down.failed} failed` : '') +
        ` in ${fmtMs(large.durationMs)}`,
      ...(large.down?.errorSamples ?? []).map((s) => `  ${s}`),
    );
  }
  const samples = [...r.connect.errorSamples, ...(r.storm?.errorSamples ?? [])];
  if (samples.length > 0) lines.push('', 'first errors:', ...samples.slice(0, 8).map((s) => `  ${s}`));
  if (r.storm) {
    lines.push(
      '',
      `storm target (all ${r.config.stations} Accepted again within ${r.storm.targetMs / 1000} s, 0 errors): ` +
        (r.storm.withinTarget ? 'MET' : 'MISSED'),
    );
  }
  return lines.join('\n');
}

function fmtKb(kb: number | null): string {
  return kb === null ? '-' : `${kb.toFixed(1)} kB`;
}

function largeFrameLabel(c: CompressionResult): string {
  return c.largeFrame?.down ? 'both ways' : 'station → server';
}

