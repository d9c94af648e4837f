import type { HandlerMap } from '../../handler.js';
import { authorize } from './authorize.js';
import { bootNotification } from './boot-notification.js';
import { heartbeat } from './heartbeat.js';
import { meterValues } from './meter-values.js';
import { transactionEvent } from './transaction-event.js';
import { statusNotification } from './status-notification.js';
import { dataTransfer } from './data-transfer.js';
import { notifyDisplayMessages } from './notify-display-messages.js';
import { notifyCustomerInformation } from './notify-customer-information.js';
import { firmwareStatusNotification } from './firmware-status-notification.js';
import { logStatusNotification } from './log-status-notification.js';
import { notifyReport } from './notify-report.js';
import { notifyMonitoringReport } from './notify-monitoring-report.js';
import { notifyEvent } from './notify-event.js';
import { signCertificate } from './sign-certificate.js';
import { securityEventNotification } from './security-event-notification.js';
import { get15118EVCertificate } from './get-15118-ev-certificate.js';
import { getCertificateStatus } from './get-certificate-status.js';

/** Also serves OCPP 2.1 wherever its messages are the same (validated against the 2.1 schemas). */
export const v201Handlers: HandlerMap = {
  Authorize: authorize,
  BootNotification: bootNotification,
  Heartbeat: heartbeat,
  MeterValues: meterValues,
  StatusNotification: statusNotification,
  TransactionEvent: transactionEvent,
  DataTransfer: dataTransfer,
  NotifyDisplayMessages: notifyDisplayMessages,
  NotifyCustomerInformation: notifyCustomerInformation,
  FirmwareStatusNotification: firmwareStatusNotification,
  LogStatusNotification: logStatusNotification,
  NotifyReport: notifyReport,
  NotifyMonitoringReport: notifyMonitoringReport,
  NotifyEvent: notifyEvent,
  SignCertificate: signCertificate,
  SecurityEventNotification: securityEventNotification,
  Get15118EVCertificate: get15118EVCertificate,
  GetCertificateStatus: getCertificateStatus,
};
