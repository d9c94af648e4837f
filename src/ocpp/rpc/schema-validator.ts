import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { RpcError, type RpcErrorKind } from './error-codes.js';
import type { OcppVersion } from './versions.js';

/**
 * Validates payloads against the official OCA JSON schemas, taken verbatim from the ocpp-rpc
 * package (1.6 and 2.0.1: `urn:Action.req`/`.conf`; 2.1: `urn:ActionRequest`/`ActionResponse`). Each schema
 * is compiled on first use so a process that only sees 1.6 never compiles 2.1.
 */
const require = createRequire(import.meta.url);
// ajv-formats is CommonJS; under NodeNext its function sits on `default`.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;

const SCHEMA_FILES: Record<OcppVersion, string> = {
  'ocpp1.6': 'ocpp-rpc/lib/schemas/ocpp1_6.json',
  'ocpp2.0.1': 'ocpp-rpc/lib/schemas/ocpp2_0_1.json',
  'ocpp2.1': 'ocpp-rpc/lib/schemas/ocpp2_1.json',
};

export type SchemaDirection = 'request' | 'response';

export class SchemaValidator {
  private readonly ajv: Ajv;
  private readonly known: Set<string>;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly version: OcppVersion) {
    const schemas = require(SCHEMA_FILES[version]) as Array<{ $id: string }>;
    this.ajv = new Ajv({ strict: false, allErrors: false });
    addFormats(this.ajv);
    this.ajv.addSchema(schemas);
    // Decimal fields such as 0.1 multiples fail a naive float check; compare with a tolerance.
    this.ajv.removeKeyword('multipleOf');
    this.ajv.addKeyword({
      keyword: 'multipleOf',
      type: 'number',
      errors: false,
      metaSchema: { type: 'number' },
      compile: (step: number) => (data: number) => Math.abs(Math.round(data / step) - data / step) < 1e-6,
    });
    this.known = new Set(schemas.map((s) => s.$id));
  }

  schemaId(action: string, direction: SchemaDirection): string {
    if (this.version === 'ocpp2.1') {
      const id = `urn:${action}${direction === 'request' ? 'Request' : 'Response'}`;
      // SEND-only messages (NotifyPeriodicEventStream) are published without the suffix.
      return direction === 'request' && !this.known.has(id) && this.known.has(`urn:${action}`) ? `urn:${action}` : id;
    }
    return `urn:${action}.${direction === 'request' ? 'req' : 'conf'}`;
  }

  /** True when the version defines this action (in either direction). */
  hasAction(action: string): boolean {
    return this.known.has(this.schemaId(action, 'request'));
  }

  /** Throws an RpcError with the CALLERROR kind the violation calls for. */
  validate(action: string, direction: SchemaDirection, payload: unknown): void {
    const id = this.schemaId(action, direction);
    let validate = this.compiled.get(id);
    if (!validate) {
      if (!this.known.has(id)) throw new RpcError('NotImplemented', `${action} is not an OCPP ${this.version.slice(4)} action`);
      validate = this.ajv.getSchema(id);
      if (!validate) throw new RpcError('InternalError', `schema ${id} failed to compile`);
      this.compiled.set(id, validate);
    }
    if (validate(payload)) return;
    const first = validate.errors?.[0];
    throw new RpcError(kindFor(first), describe(first), { path: first?.instancePath ?? '' });
  }
}

function kindFor(error: ErrorObject | undefined): RpcErrorKind {
  switch (error?.keyword) {
    case 'required':
    case 'minItems':
    case 'maxItems':
      return 'OccurrenceConstraintViolation';
    case 'type':
      return 'TypeConstraintViolation';
    case 'enum':
    case 'const':
    case 'maxLength':
    case 'minLength':
    case 'pattern':
    case 'format':
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'multipleOf':
      return 'PropertyConstraintViolation';
    default:
      return 'FormatViolation';
  }
}

function describe(error: ErrorObject | undefined): string {
  if (!error) return 'payload does not match the schema';
  const where = error.instancePath || '(payload)';
  if (error.keyword === 'additionalProperties') {
    return `${where} has unknown property "${String((error.params as { additionalProperty?: string }).additionalProperty)}"`;
  }
  if (error.keyword === 'enum') {
    return `${where} must be one of ${JSON.stringify((error.params as { allowedValues?: unknown }).allowedValues)}`;
  }
  return `${where} ${error.message ?? 'is invalid'}`;
}

const cache = new Map<OcppVersion, SchemaValidator>();

/** One validator per version for the whole process (the compiled schemas are shared). */
export function validatorFor(version: OcppVersion): SchemaValidator {
  let validator = cache.get(version);
  if (!validator) {
    validator = new SchemaValidator(version);
    cache.set(version, validator);
  }
  return validator;
}
