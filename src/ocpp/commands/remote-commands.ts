import type { RemoteCommands } from '../../modules/commands/index.js';
import { DisplayAndCustomerMapper, type DisplayAndCustomerDeps } from './display-and-customer.js';
import { StationCommandMapper } from './station-commands.js';

/** The OCPP side of every typed remote command, for the commands module's routes. */
export function createRemoteCommands(deps: DisplayAndCustomerDeps): RemoteCommands {
  const station = new StationCommandMapper(deps.sender);
  const v2 = new DisplayAndCustomerMapper(deps);
  return {
    reset: (t, s, c, by) => station.reset(t, s, c, by),
    unlock: (t, s, c, by) => station.unlock(t, s, c, by),
    changeAvailability: (t, s, c, by) => station.changeAvailability(t, s, c, by),
    trigger: (t, s, c, by) => station.trigger(t, s, c, by),
    clearCache: (t, s, by) => station.clearCache(t, s, by),
    dataTransfer: (t, s, c, by) => station.dataTransfer(t, s, c, by),
    setDisplayMessage: (t, s, m, by) => v2.setDisplayMessage(t, s, m, by),
    getDisplayMessages: (t, s, f, w, by) => v2.getDisplayMessages(t, s, f, w, by),
    clearDisplayMessage: (t, s, id, by) => v2.clearDisplayMessage(t, s, id, by),
    customerInformation: (t, s, c, w, by) => v2.customerInformation(t, s, c, w, by),
  };
}
