import type { HandlerMap } from '../../handler.js';
import { authorize } from './authorize.js';
import { bootNotification } from './boot-notification.js';
import { heartbeat } from './heartbeat.js';
import { meterValues } from './meter-values.js';
import { startTransaction } from './start-transaction.js';
import { stopTransaction } from './stop-transaction.js';
import { statusNotification } from './status-notification.js';
import { dataTransfer } from './data-transfer.js';
import { firmwareStatusNotification } from './firmware-status-notification.js';
import { signedFirmwareStatusNotification } from './signed-firmware-status-notification.js';
import { diagnosticsStatusNotification } from './diagnostics-status-notification.js';
import { logStatusNotification } from './log-status-notification.js';
import { signCertificate } from './sign-certificate.js';
import { securityEventNotification } from './security-event-notification.js';

export const v16Handlers: HandlerMap = {
  Authorize: authorize,
  BootNotification: bootNotification,
  Heartbeat: heartbeat,
  MeterValues: meterValues,
  StartTransaction: startTransaction,
  StopTransaction: stopTransaction,
  StatusNotification: statusNotification,
  DataTransfer: dataTransfer,
  FirmwareStatusNotification: firmwareStatusNotification,
  SignedFirmwareStatusNotification: signedFirmwareStatusNotification,
  DiagnosticsStatusNotification: diagnosticsStatusNotification,
  LogStatusNotification: logStatusNotification,
  SignCertificate: signCertificate,
  SecurityEventNotification: securityEventNotification,
};
