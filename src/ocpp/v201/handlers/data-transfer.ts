import type { Handler } from '../../handler.js';
import { handleDataTransfer } from '../../commands/inbound-data-transfer.js';

type DataTransferRequest = { vendorId: string; messageId?: string; data?: unknown };
type DataTransferResponse = { status: 'Accepted' | 'Rejected' | 'UnknownMessageId' | 'UnknownVendorId'; data?: unknown };

/** P02 DataTransfer from the station. */
export const dataTransfer: Handler<DataTransferRequest, DataTransferResponse> = async (ctx, request) =>
  (await handleDataTransfer(ctx, request)) as DataTransferResponse;
