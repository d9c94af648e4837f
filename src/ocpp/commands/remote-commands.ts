import type { RemoteCommands } from '../../modules/commands/index.js';
import { DisplayAndCustomerMapper, type DisplayAndCustomerDeps } from './display-and-customer.js';
import { StationCommandMapper } from './station-commands.js';

/** The OCPP side of every typed remote command, for the commands module's routes. */
export function createRemoteCommands(deps: DisplayAndCustomerDeps): RemoteCommands {
  const station = new StationCommandMapper(deps.sender);
  const v2 = new DisplayAndCustomerMapper(deps);
  return {
    reset: (t, s, c) => station.reset(t, s, c),
    unlock: (t, s, c) => station.unlock(t, s, c),
    changeAvailability: (t, s, c) => station.changeAvailability(t, s, c),
    trigger: (t, s, c) => station.trigger(t, s, c),
    clearCache: (t, s) => station.clearCache(t, s),
    dataTransfer: (t, s, c) => station.dataTransfer(t, s, c),
    setDisplayMessage: (t, s, m) => v2.setDisplayMessage(t, s, m),
    getDisplayMessages: (t, s, f, w) => v2.getDisplayMessages(t, s, f, w),
    clearDisplayMessage: (t, s, id) => v2.clearDisplayMessage(t, s, id),
    customerInformation: (t, s, c, w) => v2.customerInformation(t, s, c, w),
  };
}
