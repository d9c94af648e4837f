// OCPP 2.0.1 behaviour of the simulated charging station. Each simulated EVSE has one
// connector (connectorId 1); the sim's "connector n" is EVSE n. Requirement ids refer to
// OCPP 2.0.1 edition 3 part 2.
import { randomUUID } from 'node:crypto';
import { getNumber, getRecord, getString, isRecord, type Payload } from './frames.js';
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
import {
  acceptsValue,
  deviceVariables,
  readVariable,
  reportData,
  resolveVariable,
  settingKey,
  variableValue,
} from './v201-device-model.js';

type ConnectorStatus = 'Available' | 'Occupied' | 'Unavailable';

const REPORT_ITEMS_PER_MESSAGE = 20;

/** Stations that answered Reset OnIdle with Scheduled and reboot when their last session ends. */
const resetWhenIdle = new WeakSet<StationContext>();

function connectorStatus(connector: ConnectorState): ConnectorStatus {
  if (connector.session) return 'Occupied';
  return connector.operative ? 'Available' : 'Unavailable';
}

function sendStatus(
  ctx: StationContext,
  evseId: number,
  status: ConnectorStatus,
  options?: { priority?: boolean; beforeAccepted?: boolean },
): Promise<Payload> {
  return ctx.call(
    'StatusNotification',
    { timestamp: ctx.nowIso(), connectorStatus: status, evseId, connectorId: 1 },
    options,
  );
}

function energySample(registerWh: number, context: string): Payload {
  return { value: registerWh, context, measurand: 'Energy.Active.Import.Register', unitOfMeasure: { unit: 'Wh' } };
}

function meterValue(ctx: StationContext, registerWh: number, powerW: number | null, context: string): Payload {
  const sampledValue = [energySample(registerWh, context)];
  if (powerW !== null) {
    sampledValue.push({ value: powerW, context, measurand: 'Power.Active.Import', unitOfMeasure: { unit: 'W' } });
  }
  return { timestamp: ctx.nowIso(), sampledValue };
}

function idToken(session: SessionState): Payload {
  return { idToken: session.idTag, type: session.idTokenType };
}

function transactionEvent(
  ctx: StationContext,
  session: SessionState,
  eventType: 'Started' | 'Updated' | 'Ended',
  triggerReason: string,
  transactionInfo: Payload,
  meter: Payload,
): Payload {
  return {
    eventType,
    timestamp: ctx.nowIso(),
    triggerReason,
    seqNo: session.seqNo++,
    transactionInfo: { transactionId: session.transactionId, ...transactionInfo },
    meterValue: [meter],
  };
}

function sendUpdate(ctx: StationContext, session: SessionState, triggerReason: string, beforeAccepted = false): void {
  const registerWh = advanceRegister(ctx, session);
  if (ctx.registration !== 'Accepted' && !beforeAccepted) return; // offline: the sample is dropped
  const context = triggerReason === 'Trigger' ? 'Trigger' : 'Sample.Periodic';
  const payload = transactionEvent(
    ctx,
    session,
    'Updated',
    triggerReason,
    { chargingState: 'Charging' },
    meterValue(ctx, registerWh, session.powerW, context),
  );
  ctx.call('TransactionEvent', payload, { beforeAccepted }).catch((error: unknown) => ctx.report('call', error));
}

function tokenStatus(payload: Payload): string | undefined {
  const info = getRecord(payload, 'idTokenInfo');
  return info ? getString(info, 'status') : undefined;
}

async function startSession(
  ctx: StationContext,
  request: RemoteSessionRequest,
  remote: boolean,
): Promise<SessionInfo> {
  const session = claimConnector(ctx, request);
  let started = false;
  try {
    if (!remote || readVariable(ctx, 'AuthCtrlr', 'AuthorizeRemoteStart') === 'true') {
      const auth = await ctx.call('Authorize', { idToken: idToken(session) });
      const status = tokenStatus(auth);
      if (status !== 'Accepted') {
        throw new SessionError('NotAccepted', `${ctx.stationId}: Authorize ${session.idTag}: ${status ?? 'no status'}`);
      }
    }
    const transactionId = randomUUID();
    session.transactionId = transactionId;
    session.lastSampleAtMs = ctx.scheduler.now();
    const info: Payload = { chargingState: 'Charging' };
    if (session.remoteStartId !== null) info.remoteStartId = session.remoteStartId;
    // E02/F01: the first event carries the token, the EVSE and the start register.
    const event = transactionEvent(
      ctx,
      session,
      'Started',
      remote ? 'RemoteStart' : 'Authorized',
      info,
      meterValue(ctx, session.meterStartWh, null, 'Transaction.Begin'),
    );
    event.idToken = idToken(session);
    event.evse = { id: session.connectorId, connectorId: 1 };
    const response = await ctx.call('TransactionEvent', event);
    started = true;
    const result: SessionInfo = { connectorId: session.connectorId, idTag: session.idTag, transactionId };
    const status = tokenStatus(response);
    if (status !== undefined && status !== 'Accepted') {
      // StopTxOnInvalidId: end the transaction the CSMS did not authorize.
      await stopSession(ctx, session.connectorId, 'DeAuthorized');
      throw new SessionError('NotAccepted', `${ctx.stationId}: TransactionEvent ${session.idTag}: ${status}`);
    }
    await sendStatus(ctx, session.connectorId, 'Occupied');
    scheduleSamples(ctx, session, () => sendUpdate(ctx, session, 'MeterValuePeriodic'));
    ctx.sessionStarted(result);
    return result;
  } catch (error) {
    if (!started) releaseConnector(ctx, session);
    throw error;
  }
}

// TransactionEvent Ended: triggerReason and stoppedReason for each way a session ends.
const ENDING: Record<StopReason, [trigger: string, stopped: string]> = {
  Local: ['StopAuthorized', 'Local'],
  Remote: ['RemoteStop', 'Remote'],
  HardReset: ['ResetCommand', 'ImmediateReset'],
  SoftReset: ['ResetCommand', 'ImmediateReset'],
  DeAuthorized: ['Deauthorized', 'DeAuthorized'],
  UnlockCommand: ['UnlockCommand', 'Other'],
  EVDisconnected: ['EVDeparted', 'EVDisconnected'],
  Other: ['AbnormalCondition', 'Other'],
};

async function stopSession(ctx: StationContext, connectorId: number, reason: StopReason): Promise<void> {
  const session = ctx.connector(connectorId)?.session;
  if (!session || typeof session.transactionId !== 'string') {
    throw new SessionError('NoSession', `${ctx.stationId}: no transaction on EVSE ${connectorId}`);
  }
  if (session.stopping) return;
  session.stopping = true;
  const registerWh = advanceRegister(ctx, session);
  const connector = releaseConnector(ctx, session);
  const [trigger, stoppedReason] = ENDING[reason];
  const event = transactionEvent(
    ctx,
    session,
    'Ended',
    trigger,
    { chargingState: 'Idle', stoppedReason },
    meterValue(ctx, registerWh, null, 'Transaction.End'),
  );
  if (reason === 'Local') event.idToken = idToken(session);
  await ctx.call('TransactionEvent', event);
  await sendStatus(ctx, connectorId, connector ? connectorStatus(connector) : 'Available');
  ctx.sessionEnded({
    connectorId,
    idTag: session.idTag,
    transactionId: session.transactionId,
    reason,
    energyWh: registerWh - session.meterStartWh,
  });
  if (resetWhenIdle.has(ctx) && activeSessions(ctx).length === 0) {
    resetWhenIdle.delete(ctx);
    ctx.bootReason = 'RemoteReset';
    ctx.reboot();
  }
}

function stopInBackground(ctx: StationContext, session: SessionState, reason: StopReason): Promise<void> {
  return stopSession(ctx, session.connectorId, reason).catch((error: unknown) => ctx.report('session', error));
}

const status = (value: string): CallOutcome => ({ payload: { status: value } });

function reportInBackground(ctx: StationContext, requestId: number, items: Payload[]): void {
  const report = (error: unknown): void => ctx.report('call', error);
  const generatedAt = ctx.nowIso();
  for (let seqNo = 0, i = 0; i < items.length; seqNo++, i += REPORT_ITEMS_PER_MESSAGE) {
    const reportDataItems = items.slice(i, i + REPORT_ITEMS_PER_MESSAGE);
    const tbc = i + REPORT_ITEMS_PER_MESSAGE < items.length;
    ctx
      .call('NotifyReport', { requestId, generatedAt, seqNo, tbc, reportData: reportDataItems }, { beforeAccepted: true })
      .catch(report);
  }
}

const handlers: Record<string, ActionHandler> = {
  // B11/B12 Reset: Immediate stops transactions and reboots; OnIdle waits for them (Scheduled).
  Reset(ctx, req) {
    if (getNumber(req, 'evseId') !== undefined) return status('Rejected'); // EVSE-level reset unsupported
    const sessions = activeSessions(ctx);
    if (req.type === 'OnIdle' && sessions.length > 0) {
      resetWhenIdle.add(ctx);
      return status('Scheduled');
    }
    return {
      payload: { status: 'Accepted' },
      after: () => {
        void Promise.all(sessions.map((s) => stopInBackground(ctx, s, 'HardReset'))).then(() => {
          ctx.bootReason = 'RemoteReset';
          ctx.reboot();
        });
      },
    };
  },

  // F01 RequestStartTransaction; B02.FR.05: Rejected while Pending.
  RequestStartTransaction(ctx, req) {
    if (ctx.registration !== 'Accepted') return status('Rejected');
    const token = getRecord(req, 'idToken');
    const evseId = getNumber(req, 'evseId');
    const connector = evseId === undefined ? freeConnector(ctx) : ctx.connector(evseId);
    if (!token || !connector || !connector.operative || connector.session) return status('Rejected');
    const request: RemoteSessionRequest = {
      connectorId: connector.id,
      idTag: getString(token, 'idToken') ?? '',
      idTokenType: getString(token, 'type') ?? 'ISO14443',
    };
    const remoteStartId = getNumber(req, 'remoteStartId');
    if (remoteStartId !== undefined) request.remoteStartId = remoteStartId;
    return {
      payload: { status: 'Accepted' },
      after: () => {
        startSession(ctx, request, true).catch((error: unknown) => ctx.report('session', error));
      },
    };
  },

  // F03 RequestStopTransaction.
  RequestStopTransaction(ctx, req) {
    if (ctx.registration !== 'Accepted') return status('Rejected');
    const transactionId = getString(req, 'transactionId');
    const session = findSession(ctx, (s) => s.transactionId === transactionId && !s.stopping);
    if (!session) return status('Rejected');
    return { payload: { status: 'Accepted' }, after: () => void stopInBackground(ctx, session, 'Remote') };
  },

  // G03 ChangeAvailability: Scheduled while a transaction runs on an EVSE to take down.
  ChangeAvailability(ctx, req) {
    const operative = req.operationalStatus === 'Operative';
    const evse = getRecord(req, 'evse');
    const evseId = evse ? getNumber(evse, 'id') : undefined;
    const connectorId = evse ? getNumber(evse, 'connectorId') : undefined;
    if (connectorId !== undefined && connectorId !== 1) return status('Rejected');
    const targets = evseId === undefined || evseId === 0 ? ctx.connectors : [ctx.connector(evseId)];
    const change = applyAvailability(targets, operative);
    if (!change) return status('Rejected');
    return {
      payload: { status: change.scheduled ? 'Scheduled' : 'Accepted' },
      after: () => {
        for (const id of change.changed) {
          const connector = ctx.connector(id);
          if (!connector) continue;
          sendStatus(ctx, id, connectorStatus(connector)).catch((error: unknown) => ctx.report('call', error));
        }
      },
    };
  },

  // B06 GetVariables.
  GetVariables(ctx, req) {
    const items = Array.isArray(req.getVariableData) ? req.getVariableData.filter(isRecord) : [];
    const getVariableResult = items.map((item): Payload => {
      const { result, variable } = resolveVariable(ctx, item);
      if (!variable) return result;
      return { ...result, attributeStatus: 'Accepted', attributeValue: variableValue(ctx, variable) };
    });
    return { payload: { getVariableResult } };
  },

  // B05 SetVariables.
  SetVariables(ctx, req) {
    const items = Array.isArray(req.setVariableData) ? req.setVariableData.filter(isRecord) : [];
    const setVariableResult = items.map((item): Payload => {
      const { result, variable: v } = resolveVariable(ctx, item);
      if (!v) return result;
      const value = getString(item, 'attributeValue') ?? '';
      if (v.mutability === 'ReadOnly' || !acceptsValue(v, value)) return { ...result, attributeStatus: 'Rejected' };
      if (v.component === 'OCPPCommCtrlr' && v.variable === 'HeartbeatInterval') ctx.setHeartbeatInterval(Number(value));
      else if (v.component === 'SampledDataCtrlr' && v.variable === 'TxUpdatedInterval') ctx.meterIntervalS = Number(value);
      else ctx.setSetting(settingKey(v), value);
      return { ...result, attributeStatus: 'Accepted' };
    });
    return { payload: { setVariableResult } };
  },

  // B07 GetBaseReport: Accepted, then NotifyReport in parts (B07.FR.04 tbc/seqNo).
  GetBaseReport(ctx, req) {
    const requestId = getNumber(req, 'requestId') ?? 0;
    const all = deviceVariables(ctx);
    const chosen =
      req.reportBase === 'ConfigurationInventory'
        ? all.filter((v) => v.mutability === 'ReadWrite')
        : req.reportBase === 'SummaryInventory'
          ? all.filter((v) => v.variable === 'AvailabilityState')
          : all;
    if (chosen.length === 0) return status('EmptyResultSet');
    const items = chosen.map((v) => reportData(ctx, v));
    return { payload: { status: 'Accepted' }, after: () => reportInBackground(ctx, requestId, items) };
  },

  // F06 TriggerMessage.
  TriggerMessage(ctx, req) {
    const evse = getRecord(req, 'evse');
    const evseId = evse ? getNumber(evse, 'id') : undefined;
    const connectorId = evse ? getNumber(evse, 'connectorId') : undefined;
    if (evseId !== undefined && evseId !== 0 && !ctx.connector(evseId)) return status('Rejected');
    const report = (error: unknown): void => ctx.report('call', error);
    const targets = evseId ? [ctx.connector(evseId)] : ctx.connectors;
    let send: () => void;
    switch (req.requestedMessage) {
      case 'BootNotification':
        if (ctx.registration === 'Accepted') return status('Rejected'); // F06.FR.17
        send = () => {
          ctx.bootReason = 'Triggered';
          ctx.sendBoot();
        };
        break;
      case 'Heartbeat':
        send = () => ctx.sendHeartbeat();
        break;
      case 'StatusNotification': {
        // F06.FR.12: only at connector level.
        const connector = evseId ? ctx.connector(evseId) : undefined;
        if (!connector || connectorId !== 1) return status('Rejected');
        send = () => void sendStatus(ctx, connector.id, connectorStatus(connector), { beforeAccepted: true }).catch(report);
        break;
      }
      case 'MeterValues':
        send = () => {
          for (const connector of targets) {
            if (!connector) continue;
            const registerWh = connector.session ? advanceRegister(ctx, connector.session) : Math.round(connector.registerWh);
            const payload = {
              evseId: connector.id,
              meterValue: [meterValue(ctx, registerWh, connector.session ? connector.session.powerW : null, 'Trigger')],
            };
            ctx.call('MeterValues', payload, { beforeAccepted: true }).catch(report);
          }
        };
        break;
      case 'TransactionEvent': {
        const sessions = targets.flatMap((c) => (c?.session && !c.session.stopping ? [c.session] : []));
        if (sessions.length === 0) return status('Rejected');
        send = () => {
          for (const session of sessions) sendUpdate(ctx, session, 'Trigger', true);
        };
        break;
      }
      case 'FirmwareStatusNotification':
      case 'LogStatusNotification': {
        // F06.FR.15/16: nothing in progress, so Idle.
        const action = String(req.requestedMessage);
        send = () => void ctx.call(action, { status: 'Idle' }, { beforeAccepted: true }).catch(report);
        break;
      }
      default:
        return status('NotImplemented'); // F06.FR.08
    }
    return { payload: { status: 'Accepted' }, after: send };
  },

  // F05 UnlockConnector: refused while an authorized transaction runs.
  UnlockConnector(ctx, req) {
    const connector = ctx.connector(getNumber(req, 'evseId') ?? 0);
    if (!connector || getNumber(req, 'connectorId') !== 1) return status('UnknownConnector');
    return status(connector.session ? 'OngoingAuthorizedTransaction' : 'Unlocked');
  },

  ClearCache: () => status('Accepted'),

  // P01 DataTransfer: the sim knows no vendor extensions.
  DataTransfer: () => status('UnknownVendorId'),
};

export const v201: Dialect = {
  version: '2.0.1',
  handlers,

  bootPayload(ctx) {
    return {
      reason: ctx.bootReason,
      chargingStation: { vendorName: ctx.vendor, model: ctx.model, firmwareVersion: ctx.firmware },
    };
  },

  // B01.FR.05: after an Accepted boot, a StatusNotification for every connector.
  async announceConnectors(ctx) {
    await Promise.all(ctx.connectors.map((c) => sendStatus(ctx, c.id, connectorStatus(c), { priority: true })));
  },

  startSession,
  stopSession,
};

