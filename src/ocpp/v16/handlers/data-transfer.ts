import type { Handler } from '../../handler.js';
import { handleDataTransfer } from '../../commands/inbound-data-transfer.js';

type DataTransferReq = { vendorId: string; messageId?: string; data?: string };
type DataTransferConf = { status: 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId'; data?: string };

/** 1.6 §4.3 DataTransfer from the charge point; a vendor's structured answer travels as JSON text. */
export const dataTransfer: Handler<DataTransferReq, DataTransferConf> = async (ctx, request) => {
  const answer = await handleDataTransfer(ctx, request);
  const conf: DataTransferConf = { status: answer.status as DataTransferConf['status'] };
  if (answer.data !== undefined) conf.data = typeof answer.data === 'string' ? answer.data : JSON.stringify(answer.data);
  return conf;
};
