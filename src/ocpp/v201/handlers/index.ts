import type { HandlerMap } from '../../handler.js';
import { bootNotification } from './boot-notification.js';
import { heartbeat } from './heartbeat.js';
import { statusNotification } from './status-notification.js';

/** Also serves OCPP 2.1 wherever its messages are the same (validated against the 2.1 schemas). */
export const v201Handlers: HandlerMap = {
  BootNotification: bootNotification,
  Heartbeat: heartbeat,
  StatusNotification: statusNotification,
};
