import type { Handler } from '../../handler.js';
import { PartCollector } from '../../../modules/commands/index.js';

type NotifyDisplayMessagesRequest = { requestId: number; tbc?: boolean; messageInfo?: Record<string, unknown>[] };

/** O04.FR.*: a part of the answer to GetDisplayMessages, assembled until tbc is false. */
export const notifyDisplayMessages: Handler<NotifyDisplayMessagesRequest, Record<string, never>> = async (ctx, request) => {
  const collector = ctx.services.commands?.displayMessages;
  collector?.add(PartCollector.key(ctx.link.tenantId, ctx.link.stationId, request.requestId), request.messageInfo ?? [], request.tbc !== true);
  return {};
};
