import type { CustomerInformationReports } from './customer-information.js';
import type { PartCollector } from './part-collector.js';
import type { VendorDataRegistry } from './vendor-data.js';

/** What the inbound OCPP handlers of this module need (DataTransfer, NotifyDisplayMessages, NotifyCustomerInformation). */
export interface CommandsInbound {
  vendorData: VendorDataRegistry;
  displayMessages: PartCollector<Record<string, unknown>[]>;
  customerInformation: CustomerInformationReports;
}
