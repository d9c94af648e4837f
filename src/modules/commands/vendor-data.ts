/**
 * Inbound DataTransfer (1.6 §4.3, 2.0.1 P02): vendor extensions register a handler for their
 * vendorId, optionally per messageId. Ids compare case-insensitively (1.6 CiString255/CiString50).
 */

export interface VendorMessage {
  tenantId: string;
  stationId: string;
  vendorId: string;
  messageId?: string | undefined;
  /** 1.6: a string; 2.0.1: any JSON value. */
  data?: unknown;
}

export interface VendorAnswer {
  status: 'Accepted' | 'Rejected';
  data?: unknown;
}

export type VendorDataStatus = VendorAnswer['status'] | 'UnknownVendorId' | 'UnknownMessageId';

export type VendorHandler = (message: VendorMessage) => Promise<VendorAnswer>;

/** Registered for every messageId of a vendor, including a DataTransfer without one. */
export const ANY_MESSAGE = '*';

export class VendorDataRegistry {
  private readonly vendors = new Map<string, Map<string, VendorHandler>>();

  register(vendorId: string, messageId: string, handler: VendorHandler): void {
    const key = vendorId.toLowerCase();
    const messages = this.vendors.get(key) ?? new Map<string, VendorHandler>();
    messages.set(messageId.toLowerCase(), handler);
    this.vendors.set(key, messages);
  }

  async handle(message: VendorMessage): Promise<{ status: VendorDataStatus; data?: unknown }> {
    const messages = this.vendors.get(message.vendorId.toLowerCase());
    if (!messages) return { status: 'UnknownVendorId' };
    const handler = messages.get((message.messageId ?? '').toLowerCase()) ?? messages.get(ANY_MESSAGE);
    if (!handler) return { status: 'UnknownMessageId' };
    return handler(message);
  }
}
