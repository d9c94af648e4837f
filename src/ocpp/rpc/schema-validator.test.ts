import { describe, expect, it } from 'vitest';
import { validatorFor } from './schema-validator.js';
import { RpcError } from './error-codes.js';

function kindOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof RpcError ? err.kind : 'not-an-RpcError';
  }
}

describe('official schema validation', () => {
  const v16 = validatorFor('ocpp1.6');
  const v201 = validatorFor('ocpp2.0.1');
  const v21 = validatorFor('ocpp2.1');

  it('accepts a valid 1.6 BootNotification and a valid 2.0.1 one', () => {
    expect(() => v16.validate('BootNotification', 'request', { chargePointVendor: 'A', chargePointModel: 'B' })).not.toThrow();
    expect(() =>
      v201.validate('BootNotification', 'request', { reason: 'PowerUp', chargingStation: { vendorName: 'A', model: 'B' } }),
    ).not.toThrow();
    expect(() =>
      v21.validate('BootNotification', 'request', { reason: 'PowerUp', chargingStation: { vendorName: 'A', model: 'B' } }),
    ).not.toThrow();
  });

  it('maps a missing required field to an occurrence violation', () => {
    expect(kindOf(() => v16.validate('BootNotification', 'request', { chargePointVendor: 'A' }))).toBe('OccurrenceConstraintViolation');
  });

  it('maps a wrong type to TypeConstraintViolation', () => {
    expect(kindOf(() => v16.validate('StatusNotification', 'request', { connectorId: 'one', errorCode: 'NoError', status: 'Available' }))).toBe(
      'TypeConstraintViolation',
    );
  });

  it('maps a bad enum value and an over-long string to PropertyConstraintViolation', () => {
    expect(kindOf(() => v16.validate('StatusNotification', 'request', { connectorId: 1, errorCode: 'NoError', status: 'Sleeping' }))).toBe(
      'PropertyConstraintViolation',
    );
    expect(kindOf(() => v16.validate('BootNotification', 'request', { chargePointVendor: 'x'.repeat(21), chargePointModel: 'B' }))).toBe(
      'PropertyConstraintViolation',
    );
  });

  it('maps an unknown property to a format violation', () => {
    expect(kindOf(() => v201.validate('Heartbeat', 'request', { surprise: true }))).toBe('FormatViolation');
  });

  it('knows which actions a version defines', () => {
    expect(v16.hasAction('StartTransaction')).toBe(true);
    expect(v201.hasAction('StartTransaction')).toBe(false);
    expect(v201.hasAction('TransactionEvent')).toBe(true);
    expect(v21.hasAction('NotifyPeriodicEventStream')).toBe(true);
    expect(kindOf(() => v201.validate('Teleport', 'request', {}))).toBe('NotImplemented');
  });
});
