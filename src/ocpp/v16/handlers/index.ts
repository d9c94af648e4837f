import type { HandlerMap } from '../../handler.js';
import { bootNotification } from './boot-notification.js';
import { heartbeat } from './heartbeat.js';
import { statusNotification } from './status-notification.js';

export const v16Handlers: HandlerMap = {
  BootNotification: bootNotification,
  Heartbeat: heartbeat,
  StatusNotification: statusNotification,
};
