import { describe, expect, it } from 'vitest';
import { parseVariableRef } from './station-config.js';

describe('station variables REF syntax', () => {
  it('reads component, instances, EVSE and connector', () => {
    expect(parseVariableRef('OCPPCommCtrlr.HeartbeatInterval')).toEqual({ component: { name: 'OCPPCommCtrlr' }, variable: { name: 'HeartbeatInterval' } });
    expect(parseVariableRef('DeviceDataCtrlr.ItemsPerMessage[GetVariables]')).toEqual({
      component: { name: 'DeviceDataCtrlr' },
      variable: { name: 'ItemsPerMessage', instance: 'GetVariables' },
    });
    expect(parseVariableRef('Connector[left]@1/2.ConnectorType')).toEqual({
      component: { name: 'Connector', instance: 'left', evse: { id: 1, connectorId: 2 } },
      variable: { name: 'ConnectorType' },
    });
  });

  it('refuses text without a variable, naming it', () => {
    expect(() => parseVariableRef('OCPPCommCtrlr')).toThrow('"OCPPCommCtrlr" is not');
    expect(() => parseVariableRef('EVSE@x.Power')).toThrow('is not');
  });
});
