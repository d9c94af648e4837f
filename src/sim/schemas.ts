// Official OCPP JSON schemas (shipped by ocpp-rpc), compiled lazily per action and per
// version: a process pays only for the actions it sees. Both versions use ids like
// `urn:BootNotification.req` / `urn:BootNotification.conf`, so each version gets its own Ajv.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isRecord, type OcppVersion, type RpcErrorCode } from './frames.js';

// ajv-formats is CommonJS with `exports.default`; under NodeNext the default import is the
// module object for the type checker but the function at run time.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule.default })
  .default ?? (addFormatsModule as unknown as typeof addFormatsModule.default);

const SCHEMA_FILE: Record<OcppVersion, string> = {
  '1.6': 'ocpp-rpc/lib/schemas/ocpp1_6.json',
  '2.0.1': 'ocpp-rpc/lib/schemas/ocpp2_0_1.json',
};

export type SchemaKind = 'req' | 'conf';

export interface SchemaViolation {
  code: RpcErrorCode;
  message: string;
}

export class SchemaSet {
  private readonly ajv: Ajv;
  /** Validators by action, one map per kind: no id string is built per message. */
  private readonly compiled: Record<SchemaKind, Map<string, ValidateFunction | null>> = { req: new Map(), conf: new Map() };

  constructor(readonly version: OcppVersion) {
    const require = createRequire(import.meta.url);
    const schemas: unknown = JSON.parse(readFileSync(require.resolve(SCHEMA_FILE[version]), 'utf8'));
    if (!Array.isArray(schemas)) throw new Error(`${SCHEMA_FILE[version]} is not a schema array`);
    this.ajv = new Ajv({ strictSchema: false, allErrors: false });
    addFormats(this.ajv);
    // fast-uri (Ajv's URI library) cannot serialize `urn:Action.req` (a URN without a
    // namespace id) and addSchema throws; give the ids a namespace: `urn:ocpp:Action.req`.
    for (const schema of schemas) {
      if (!isRecord(schema) || typeof schema.$id !== 'string') continue;
      this.ajv.addSchema({ ...schema, $id: schema.$id.replace(/^urn:/, 'urn:ocpp:') });
    }
  }

  has(action: string, kind: SchemaKind): boolean {
    return this.validator(action, kind) !== null;
  }

  /** Returns null when the payload is valid (or no schema exists for the action). */
  check(action: string, kind: SchemaKind, payload: unknown): SchemaViolation | null {
    const validate = this.validator(action, kind);
    if (validate === null || validate(payload)) return null;
    const first = validate.errors?.[0];
    return { code: errorCodeFor(first), message: describe(action, kind, first) };
  }

  private validator(action: string, kind: SchemaKind): ValidateFunction | null {
    const compiled = this.compiled[kind];
    let fn = compiled.get(action);
    if (fn === undefined) {
      fn = this.ajv.getSchema(`urn:ocpp:${action}.${kind}`) ?? null;
      compiled.set(action, fn);
    }
    return fn;
  }
}

// Error code per kind of violation, as OCPP-J 2.0.1 part 4 §4.3 describes them.
function errorCodeFor(error: ErrorObject | undefined): RpcErrorCode {
  switch (error?.keyword) {
    case 'required':
      return 'OccurrenceConstraintViolation';
    case 'type':
      return 'TypeConstraintViolation';
    case 'enum':
    case 'maxLength':
    case 'minLength':
    case 'maximum':
    case 'minimum':
    case 'format':
    case 'multipleOf':
      return 'PropertyConstraintViolation';
    default:
      return 'FormatViolation';
  }
}

function describe(action: string, kind: SchemaKind, error: ErrorObject | undefined): string {
  if (!error) return `${action}.${kind} is invalid`;
  return `${action}.${kind} ${error.instancePath || '/'} ${error.message ?? 'is invalid'}`;
}

const shared = new Map<OcppVersion, SchemaSet>();

/** One schema set per version per process. */
export function schemasFor(version: OcppVersion): SchemaSet {
  let set = shared.get(version);
  if (!set) {
    set = new SchemaSet(version);
    shared.set(version, set);
  }
  return set;
}
