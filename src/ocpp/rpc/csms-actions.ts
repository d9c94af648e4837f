import type { OcppVersion } from './versions.js';

/**
 * The actions a CSMS initiates, per version (1.6 edition 2 §5 plus the security whitepaper;
 * 2.0.1 part 2 and 2.1 part 2 message lists). The schemas alone do not say who sends a message,
 * and forwarding a station-side action such as BootNotification to a station is meaningless.
 */
const V16 = [
  'CancelReservation',
  'ChangeAvailability',
  'ChangeConfiguration',
  'ClearCache',
  'ClearChargingProfile',
  'DataTransfer',
  'GetCompositeSchedule',
  'GetConfiguration',
  'GetDiagnostics',
  'GetLocalListVersion',
  'RemoteStartTransaction',
  'RemoteStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'TriggerMessage',
  'UnlockConnector',
  'UpdateFirmware',
  'CertificateSigned',
  'DeleteCertificate',
  'ExtendedTriggerMessage',
  'GetInstalledCertificateIds',
  'GetLog',
  'InstallCertificate',
  'SignedUpdateFirmware',
];

const V201 = [
  'CancelReservation',
  'CertificateSigned',
  'ChangeAvailability',
  'ClearCache',
  'ClearChargingProfile',
  'ClearDisplayMessage',
  'ClearVariableMonitoring',
  'CostUpdated',
  'CustomerInformation',
  'DataTransfer',
  'DeleteCertificate',
  'GetBaseReport',
  'GetChargingProfiles',
  'GetCompositeSchedule',
  'GetDisplayMessages',
  'GetInstalledCertificateIds',
  'GetLocalListVersion',
  'GetLog',
  'GetMonitoringReport',
  'GetReport',
  'GetTransactionStatus',
  'GetVariables',
  'InstallCertificate',
  'PublishFirmware',
  'RequestStartTransaction',
  'RequestStopTransaction',
  'ReserveNow',
  'Reset',
  'SendLocalList',
  'SetChargingProfile',
  'SetDisplayMessage',
  'SetMonitoringBase',
  'SetMonitoringLevel',
  'SetNetworkProfile',
  'SetVariableMonitoring',
  'SetVariables',
  'TriggerMessage',
  'UnlockConnector',
  'UnpublishFirmware',
  'UpdateFirmware',
];

const V21_ADDED = [
  'AdjustPeriodicEventStream',
  'AFRRSignal',
  'ChangeTransactionTariff',
  'ClearDERControl',
  'ClearTariffs',
  'ClosePeriodicEventStream',
  'GetCertificateChainStatus',
  'GetDERControl',
  'GetPeriodicEventStream',
  'GetTariffs',
  'NotifyAllowedEnergyTransfer',
  'NotifyWebPaymentStarted',
  'RequestBatterySwap',
  'SetDefaultTariff',
  'SetDERControl',
  'UpdateDynamicSchedule',
  'UsePriorityCharging',
];

const CSMS_ACTIONS: Record<OcppVersion, ReadonlySet<string>> = {
  'ocpp1.6': new Set(V16),
  'ocpp2.0.1': new Set(V201),
  'ocpp2.1': new Set([...V201, ...V21_ADDED]),
};

export function isCsmsInitiated(version: OcppVersion, action: string): boolean {
  return CSMS_ACTIONS[version].has(action);
}
