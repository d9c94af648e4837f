import { DomainError } from '../../platform/errors.js';
import type { DeviceCommands } from './types.js';

/**
 * Configuration speaks two languages: 1.6 keys and 2.x variables. A command meant for the other
 * family is a caller's mistake (400), an offline station a 409/503 as StationOffline says.
 */
export function requireFamily(commands: DeviceCommands, tenantId: string, stationId: string, family: '1.6' | '2.x', hint: string): void {
  const version = commands.versionOf(tenantId, stationId);
  if (version === undefined) throw new DomainError('StationOffline', `station ${stationId} is not connected`);
  const is16 = version === '1.6';
  if (is16 !== (family === '1.6')) throw new DomainError('InvalidInput', `station ${stationId} speaks OCPP ${version}: ${hint}`, { field: 'id' });
}
