// OCPP 1.6J behaviour of the simulated charge point: Core + RemoteTrigger feature profiles
// (OCPP 1.6 edition 2, §4 "Operations initiated by Charge Point" and §5 "... by Central System").
import { getNumber, getRecord, getString, type Payload } from './frames.js';
import {
  activeSessions,
  advanceRegister,
  applyAvailability,
  claimConnector,
  findSession,
  freeConnector,
  releaseConnector,
  scheduleSamples,
  SessionError,
} from './session.js';
import type {
  ActionHandler,
  CallOutcome,
  ConnectorState,
  Dialect,
  RemoteSessionRequest,
  SessionInfo,
  SessionState,
  StationContext,
  StopReason,
} from './types.js';

type ChargePointStatus = 'Available' | 'Preparing' | 'Charging' | 'Finishing' | 'Unavailable';

type KeyKind = 'int' | 'bool' | 'list' | 'string';
interface ConfigKey {
  readonly: boolean;
  kind: KeyKind;
  value(ctx: StationContext): string;
}

const fixed = (value: string) => (): string => value;

// Configuration keys of §9.1 (Core) and §9.4 (RemoteTrigger has none) that the sim reports.
const CONFIG_KEYS: Readonly<Record<string, ConfigKey>> = {
  AllowOfflineTxForUnknownId: { readonly: false, kind: 'bool', value: fixed('false') },
  AuthorizationCacheEnabled: { readonly: false, kind: 'bool', value: fixed('true') },
  AuthorizeRemoteTxRequests: { readonly: false, kind: 'bool', value: fixed('false') },
  ClockAlignedDataInterval: { readonly: false, kind: 'int', value: fixed('0') },
  ConnectionTimeOut: { readonly: false, kind: 'int', value: fixed('60') },
  GetConfigurationMaxKeys: { readonly: true, kind: 'int', value: fixed('50') },
  HeartbeatInterval: { readonly: false, kind: 'int', value: (ctx) => String(ctx.heartbeatIntervalS) },
  LocalAuthorizeOffline: { readonly: false, kind: 'bool', value: fixed('true') },
  LocalPreAuthorize: { readonly: false, kind: 'bool', value: fixed('false') },
  MeterValuesAlignedData: { readonly: false, kind: 'list', value: fixed('Energy.Active.Import.Register') },
  MeterValuesSampledData: {
    readonly: false,
    kind: 'list',
    value: fixed('Energy.Active.Import.Register,Power.Active.Import'),
  },
  MeterValueSampleInterval: { readonly: false, kind: 'int', value: (ctx) => String(ctx.meterIntervalS) },
  NumberOfConnectors: { readonly: true, kind: 'int', value: (ctx) => String(ctx.connectors.length) },
  ResetRetries: { readonly: false, kind: 'int', value: fixed('1') },
  StopTransactionOnEVSideDisconnect: { readonly: false, kind: 'bool', value: fixed('true') },
  StopTransactionOnInvalidId: { readonly: false, kind: 'bool', value: fixed('true') },
  StopTxnAlignedData: { readonly: false, kind: 'list', value: fixed('') },
  StopTxnSampledData: { readonly: false, kind: 'list', value: fixed('') },
  SupportedFeatureProfiles: { readonly: true, kind: 'list', value: fixed('Core,RemoteTrigger') },
  TransactionMessageAttempts: { readonly: false, kind: 'int', value: fixed('3') },
  TransactionMessageRetryInterval: { readonly: false, kind: 'int', value: fixed('60') },
  UnlockConnectorOnEVSideDisconnect: { readonly: false, kind: 'bool', value: fixed('true') },
  WebSocketPingInterval: { readonly: false, kind: 'int', value: fixed('0') },
};

function configValue(ctx: StationContext, key: string, def: ConfigKey): string {
  return ctx.setting(key) ?? def.value(ctx);
}

function acceptsValue(kind: KeyKind, value: string): boolean {
  switch (kind) {
    case 'int':
      return /^\d{1,9}$/.test(value);
    case 'bool':
      return value === 'true' || value === 'false';
    default:
      return value.length <= 500;
  }
}

function connectorStatus(connector: ConnectorState): ChargePointStatus {
  if (connector.session) return 'Charging';
  return connector.operative ? 'Available' : 'Unavailable';
}

function stationStatus(ctx: StationContext): ChargePointStatus {
  return ctx.connectors.some((c) => c.operative) ? 'Available' : 'Unavailable';
}

function sendStatus(
  ctx: StationContext,
  connectorId: number,
  status: ChargePointStatus,
  options?: { priority?: boolean; beforeAccepted?: boolean },
): Promise<Payload> {
  return ctx.call(
    'StatusNotification',
    { connectorId, errorCode: 'NoError', status, timestamp: ctx.nowIso() },
    options,
  );
}

function sendCurrentStatus(ctx: StationContext, connectorId: number, beforeAccepted = false): Promise<Payload> {
  const connector = ctx.connector(connectorId);
  const status = connector ? connectorStatus(connector) : stationStatus(ctx);
  return sendStatus(ctx, connectorId, status, { beforeAccepted });
}

function meterValue(ctx: StationContext, registerWh: number, powerW: number | null, context: string): Payload {
  const sampledValue: Payload[] = [
    { value: String(registerWh), context, measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
  ];
  if (powerW !== null) {
    sampledValue.push({ value: String(powerW), context, measurand: 'Power.Active.Import', unit: 'W' });
  }
  return { timestamp: ctx.nowIso(), sampledValue };
}

function sendSample(ctx: StationContext, session: SessionState, context: string, beforeAccepted = false): void {
  const registerWh = advanceRegister(ctx, session);
  if (ctx.registration !== 'Accepted' && !beforeAccepted) return; // offline: the sample is dropped
  const payload: Payload = {
    connectorId: session.connectorId,
    meterValue: [meterValue(ctx, registerWh, session.powerW, context)],
  };
  if (typeof session.transactionId === 'number') payload.transactionId = session.transactionId;
  ctx.call('MeterValues', payload, { beforeAccepted }).catch((error: unknown) => ctx.report('call', error));
}

function idTagStatus(payload: Payload): string | undefined {
  const info = getRecord(payload, 'idTagInfo');
  return info ? getString(info, 'status') : undefined;
}

async function startSession(
  ctx: StationContext,
  request: RemoteSessionRequest,
  remote: boolean,
): Promise<SessionInfo> {
  const session = claimConnector(ctx, request);
  try {
    if (!remote || configValue(ctx, 'AuthorizeRemoteTxRequests', CONFIG_KEYS.AuthorizeRemoteTxRequests!) === 'true') {
      const auth = await ctx.call('Authorize', { idTag: request.idTag });
      const status = idTagStatus(auth);
      if (status !== 'Accepted') {
        throw new SessionError('NotAccepted', `${ctx.stationId}: Authorize ${request.idTag}: ${status ?? 'no status'}`);
      }
    }
    const start = await ctx.call('StartTransaction', {
      connectorId: session.connectorId,
      idTag: session.idTag,
      meterStart: session.meterStartWh,
      timestamp: ctx.nowIso(),
    });
    const transactionId = getNumber(start, 'transactionId');
    if (transactionId === undefined) {
      throw new SessionError('NotAccepted', `${ctx.stationId}: StartTransaction.conf without transactionId`);
    }
    session.transactionId = transactionId;
    session.lastSampleAtMs = ctx.scheduler.now();
    const info: SessionInfo = { connectorId: session.connectorId, idTag: session.idTag, transactionId };
    const status = idTagStatus(start);
    if (status !== 'Accepted') {
      // StopTransactionOnInvalidId (§9.1.32): end the transaction the CSMS did not authorize.
      await stopSession(ctx, session.connectorId, 'DeAuthorized');
      throw new SessionError('NotAccepted', `${ctx.stationId}: StartTransaction ${session.idTag}: ${status ?? 'no status'}`);
    }
    await sendStatus(ctx, session.connectorId, 'Charging');
    scheduleSamples(ctx, session, () => sendSample(ctx, session, 'Sample.Periodic'));
    ctx.sessionStarted(info);
    return info;
  } catch (error) {
    if (session.transactionId === null) releaseConnector(ctx, session);
    throw error;
  }
}

async function stopSession(ctx: StationContext, connectorId: number, reason: StopReason): Promise<void> {
  const session = ctx.connector(connectorId)?.session;
  if (!session || typeof session.transactionId !== 'number') {
    throw new SessionError('NoSession', `${ctx.stationId}: no transaction on connector ${connectorId}`);
  }
  if (session.stopping) return;
  session.stopping = true;
  const meterStopWh = advanceRegister(ctx, session);
  const connector = releaseConnector(ctx, session);
  await ctx.call('StopTransaction', {
    transactionId: session.transactionId,
    idTag: session.idTag,
    meterStop: meterStopWh,
    timestamp: ctx.nowIso(),
    reason,
  });
  await sendStatus(ctx, connectorId, 'Finishing');
  await sendStatus(ctx, connectorId, connector?.operative === false ? 'Unavailable' : 'Available');
  ctx.sessionEnded({
    connectorId,
    idTag: session.idTag,
    transactionId: session.transactionId,
    reason,
    energyWh: meterStopWh - session.meterStartWh,
  });
}

function stopInBackground(ctx: StationContext, session: SessionState, reason: StopReason): Promise<void> {
  return stopSession(ctx, session.connectorId, reason).catch((error: unknown) => ctx.report('session', error));
}

const accepted = (): CallOutcome => ({ payload: { status: 'Accepted' } });
const rejected = (): CallOutcome => ({ payload: { status: 'Rejected' } });

const handlers: Record<string, ActionHandler> = {
  // §5.13 Reset: stop transactions, then reboot.
  Reset(ctx, req) {
    const reason: StopReason = req.type === 'Hard' ? 'HardReset' : 'SoftReset';
    return {
      payload: { status: 'Accepted' },
      after: () => {
        void Promise.all(activeSessions(ctx).map((s) => stopInBackground(ctx, s, reason))).then(() => ctx.reboot());
      },
    };
  },

  // §5.11 RemoteStartTransaction (AuthorizeRemoteTxRequests decides whether Authorize comes first).
  RemoteStartTransaction(ctx, req) {
    const idTag = getString(req, 'idTag') ?? '';
    const requested = getNumber(req, 'connectorId');
    const connector = requested === undefined ? freeConnector(ctx) : ctx.connector(requested);
    if (!connector || !connector.operative || connector.session) return rejected();
    return {
      payload: { status: 'Accepted' },
      after: () => {
        startSession(ctx, { connectorId: connector.id, idTag }, true).catch((error: unknown) =>
          ctx.report('session', error),
        );
      },
    };
  },

  // §5.12 RemoteStopTransaction.
  RemoteStopTransaction(ctx, req) {
    const transactionId = getNumber(req, 'transactionId');
    const session = findSession(ctx, (s) => s.transactionId === transactionId && !s.stopping);
    if (!session) return rejected();
    return { payload: { status: 'Accepted' }, after: () => void stopInBackground(ctx, session, 'Remote') };
  },

  // §5.2 ChangeAvailability: Scheduled when a transaction runs on a connector to take down.
  ChangeAvailability(ctx, req) {
    const connectorId = getNumber(req, 'connectorId') ?? -1;
    const targets = connectorId === 0 ? ctx.connectors : [ctx.connector(connectorId)];
    const change = applyAvailability(targets, req.type === 'Operative');
    if (!change) return rejected();
    const changed = connectorId === 0 ? [0, ...change.changed] : change.changed;
    return {
      payload: { status: change.scheduled ? 'Scheduled' : 'Accepted' },
      after: () => {
        for (const id of changed) {
          sendCurrentStatus(ctx, id).catch((error: unknown) => ctx.report('call', error));
        }
      },
    };
  },

  // §5.3 ChangeConfiguration.
  ChangeConfiguration(ctx, req) {
    const key = getString(req, 'key') ?? '';
    const value = getString(req, 'value') ?? '';
    const def = CONFIG_KEYS[key];
    if (!def) return { payload: { status: 'NotSupported' } };
    if (def.readonly || !acceptsValue(def.kind, value)) return rejected();
    if (key === 'HeartbeatInterval') ctx.setHeartbeatInterval(Number(value));
    else if (key === 'MeterValueSampleInterval') ctx.meterIntervalS = Number(value);
    else ctx.setSetting(key, value);
    return accepted();
  },

  // §5.8 GetConfiguration.
  GetConfiguration(ctx, req) {
    const asked = Array.isArray(req.key) ? req.key.filter((k): k is string => typeof k === 'string') : [];
    const keys = asked.length > 0 ? asked : Object.keys(CONFIG_KEYS);
    const configurationKey: Payload[] = [];
    const unknownKey: string[] = [];
    for (const key of keys) {
      const def = CONFIG_KEYS[key];
      if (def) configurationKey.push({ key, readonly: def.readonly, value: configValue(ctx, key, def) });
      else unknownKey.push(key);
    }
    const payload: Payload = { configurationKey };
    if (unknownKey.length > 0) payload.unknownKey = unknownKey;
    return { payload };
  },

  ClearCache: accepted,

  // §5.18 UnlockConnector: a running transaction is stopped first (reason UnlockCommand).
  UnlockConnector(ctx, req) {
    const connector = ctx.connector(getNumber(req, 'connectorId') ?? 0);
    if (!connector) return { payload: { status: 'NotSupported' } };
    const session = connector.session;
    return {
      payload: { status: 'Unlocked' },
      after: session && !session.stopping ? () => void stopInBackground(ctx, session, 'UnlockCommand') : undefined,
    };
  },

  // §5.17 TriggerMessage: answer first, then send the requested message.
  TriggerMessage(ctx, req) {
    const connectorId = getNumber(req, 'connectorId');
    if (connectorId !== undefined && (connectorId < 0 || connectorId > ctx.connectors.length)) return rejected();
    const report = (error: unknown): void => ctx.report('call', error);
    let send: (() => void) | null = null;
    switch (req.requestedMessage) {
      case 'BootNotification':
        send = () => ctx.sendBoot();
        break;
      case 'Heartbeat':
        send = () => ctx.sendHeartbeat();
        break;
      case 'StatusNotification':
        send = () => {
          const ids = connectorId === undefined ? [0, ...ctx.connectors.map((c) => c.id)] : [connectorId];
          for (const id of ids) sendCurrentStatus(ctx, id, true).catch(report);
        };
        break;
      case 'MeterValues':
        send = () => {
          const targets = connectorId ? [ctx.connector(connectorId)] : ctx.connectors;
          for (const connector of targets) {
            if (!connector) continue;
            if (connector.session) {
              sendSample(ctx, connector.session, 'Trigger', true);
            } else {
              const payload = {
                connectorId: connector.id,
                meterValue: [meterValue(ctx, Math.round(connector.registerWh), null, 'Trigger')],
              };
              ctx.call('MeterValues', payload, { beforeAccepted: true }).catch(report);
            }
          }
        };
        break;
      case 'DiagnosticsStatusNotification':
      case 'FirmwareStatusNotification': {
        const action = String(req.requestedMessage);
        send = () => void ctx.call(action, { status: 'Idle' }, { beforeAccepted: true }).catch(report);
        break;
      }
      default:
        return { payload: { status: 'NotImplemented' } };
    }
    return { payload: { status: 'Accepted' }, after: send };
  },

  // §5.6 DataTransfer: the sim knows no vendor extensions.
  DataTransfer() {
    return { payload: { status: 'UnknownVendorId' } };
  },
};

export const v16: Dialect = {
  version: '1.6',
  handlers,

  bootPayload(ctx) {
    return { chargePointVendor: ctx.vendor, chargePointModel: ctx.model, firmwareVersion: ctx.firmware };
  },

  // §4.9: after an Accepted boot, report connector 0 and every connector.
  async announceConnectors(ctx) {
    const pending: Promise<Payload>[] = [sendStatus(ctx, 0, stationStatus(ctx), { priority: true })];
    for (const connector of ctx.connectors) {
      pending.push(sendStatus(ctx, connector.id, connectorStatus(connector), { priority: true }));
    }
    await Promise.all(pending);
  },

  startSession,
  stopSession,
};
