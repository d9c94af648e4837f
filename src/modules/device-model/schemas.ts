/** JSON schemas shared by this module's routes; shapes follow the OCPP 2.0.1 types they carry. */
export const stationParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 48 } },
} as const;

export const componentSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 50 },
    instance: { type: 'string', minLength: 1, maxLength: 50 },
    evse: {
      type: 'object',
      required: ['id'],
      additionalProperties: false,
      properties: { id: { type: 'integer', minimum: 0 }, connectorId: { type: 'integer', minimum: 0 } },
    },
  },
} as const;

export const variableSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 50 }, instance: { type: 'string', minLength: 1, maxLength: 50 } },
} as const;

export const attributeTypeSchema = { type: 'string', enum: ['Actual', 'Target', 'MinSet', 'MaxSet'] } as const;

/** 1.6 CiString50 key and CiString500 value (§7.x ChangeConfiguration.req). */
export const keyValueSetting = {
  type: 'object',
  required: ['key', 'value'],
  additionalProperties: false,
  properties: { key: { type: 'string', minLength: 1, maxLength: 50 }, value: { type: 'string', maxLength: 500 } },
} as const;

/** 2.0.1 SetVariableDataType as a template setting (attributeValue ≤ 1000). */
export const variableSetting = {
  type: 'object',
  required: ['component', 'variable', 'value'],
  additionalProperties: false,
  properties: { component: componentSchema, variable: variableSchema, attributeType: attributeTypeSchema, value: { type: 'string', maxLength: 1000 } },
} as const;
