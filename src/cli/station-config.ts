import { apiCaller, type ApiCall } from './api-client.js';
import { parseCommandArgs, serverOf } from './args.js';
import { StartupError } from '../platform/errors.js';

const HELP = `Usage (against a running server: --url http://HOST:PORT --token TOKEN, or AMPLINE_URL / AMPLINE_TOKEN):
  ampline station config get <id> [KEY ...]            1.6 GetConfiguration (all keys when none given)
  ampline station config set <id> <KEY> <VALUE>        1.6 ChangeConfiguration; says when a reboot is required
  ampline station config show <id>                     the configuration stored for the station
  ampline station config drift <id>                    desired (template) against reported values
  ampline station variables get <id> REF ...           2.0.1 GetVariables (split to the station's limits)
  ampline station variables set <id> REF=VALUE ...     2.0.1 SetVariables
  ampline station variables show <id> [--component C] [--variable V]   the stored device model

REF is Component[instance]@evse/connector.Variable[instance], e.g. OCPPCommCtrlr.HeartbeatInterval,
EVSE@1.AvailabilityState, DeviceDataCtrlr.ItemsPerMessage[GetVariables].`;

interface ComponentVariable {
  component: { name: string; instance?: string; evse?: { id: number; connectorId?: number } };
  variable: { name: string; instance?: string };
}

const REF = /^([^.[@]+)(?:\[([^\]]+)\])?(?:@(\d+)(?:\/(\d+))?)?\.([^[\]]+)(?:\[([^\]]+)\])?$/;

/** Parses the REF syntax above; the line names the argument that does not fit. */
export function parseVariableRef(text: string): ComponentVariable {
  const m = REF.exec(text);
  if (!m || !m[1] || !m[5]) throw new StartupError(`"${text}" is not Component[instance]@evse/connector.Variable[instance]`);
  return {
    component: {
      name: m[1],
      ...(m[2] ? { instance: m[2] } : {}),
      ...(m[3] ? { evse: { id: Number(m[3]), ...(m[4] ? { connectorId: Number(m[4]) } : {}) } } : {}),
    },
    variable: { name: m[5], ...(m[6] ? { instance: m[6] } : {}) },
  };
}

function refText(cv: ComponentVariable): string {
  const c = cv.component;
  const evse = c.evse ? `@${c.evse.id}${c.evse.connectorId !== undefined ? `/${c.evse.connectorId}` : ''}` : '';
  return `${c.name}${c.instance ? `[${c.instance}]` : ''}${evse}.${cv.variable.name}${cv.variable.instance ? `[${cv.variable.instance}]` : ''}`;
}

const out = (line: string) => process.stdout.write(`${line}\n`);

/** `ampline station config|variables ...`: configuration and device model through the REST API. */
export async function runStationConfigCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('station', argv, { component: { type: 'string' }, variable: { type: 'string' } });
  const [group, sub, id, ...rest] = positionals;
  if (values.help || !sub) {
    out(HELP);
    return values.help ? 0 : 2;
  }
  if (!id) throw new StartupError(`station ${group} ${sub} needs a station id`);
  const server = serverOf(values);
  if (!server.url) throw new StartupError(`station ${group} talks to the station through a running server: give --url (or AMPLINE_URL)`);
  const call = apiCaller(server.url, server.token);
  const base = `/api/v1/stations/${encodeURIComponent(id)}`;
  if (group === 'config') return configCommand(call, base, sub, rest);
  return variablesCommand(call, base, sub, rest, values);
}

async function configCommand(call: ApiCall, base: string, sub: string, rest: string[]): Promise<number> {
  switch (sub) {
    case 'get': {
      const answer = await call<{ configurationKey: { key: string; value?: string; readonly: boolean }[]; unknownKey: string[] }>('POST', `${base}/get-configuration`, {
        json: rest.length > 0 ? { key: rest } : {},
      });
      for (const k of answer.configurationKey) out(`${k.key}\t${k.value ?? ''}\t${k.readonly ? 'readonly' : 'rw'}`);
      for (const k of answer.unknownKey) process.stderr.write(`unknown key: ${k}\n`);
      return 0;
    }
    case 'set': {
      const [key, value] = rest;
      if (!key || value === undefined) throw new StartupError('station config set needs <KEY> <VALUE>');
      const answer = await call<{ status: string; rebootRequired: boolean }>('POST', `${base}/change-configuration`, { json: { key, value } });
      out(answer.rebootRequired ? `${answer.status}: the station applies it after a reboot` : answer.status);
      return answer.status === 'Accepted' || answer.rebootRequired ? 0 : 1;
    }
    case 'show': {
      const { items } = await call<{ items: { key: string; value: string | null; readonly: boolean; rebootRequired: boolean }[] }>('GET', `${base}/configuration`);
      for (const k of items) out(`${k.key}\t${k.value ?? ''}\t${k.readonly ? 'readonly' : 'rw'}${k.rebootRequired ? '\treboot-required' : ''}`);
      return 0;
    }
    case 'drift': {
      const drift = await call<{ template: { name: string } | null; items: { setting: { key?: string; value: string } & Partial<ComponentVariable>; reported: string | null; state: string }[] }>(
        'GET',
        `${base}/configuration-drift`,
      );
      if (!drift.template) out('no configuration template applies to this station');
      for (const i of drift.items) {
        const name = i.setting.key ?? refText(i.setting as ComponentVariable);
        out(`${name}\tdesired=${i.setting.value}\treported=${i.reported ?? '-'}\t${i.state}`);
      }
      return 0;
    }
    default:
      throw new StartupError(`unknown station config command "${sub}" (see ampline station config --help)`);
  }
}

async function variablesCommand(call: ApiCall, base: string, sub: string, rest: string[], values: { component?: string | undefined; variable?: string | undefined }): Promise<number> {
  switch (sub) {
    case 'get': {
      if (rest.length === 0) throw new StartupError('station variables get needs at least one REF');
      const answer = await call<{ getVariableResult: (ComponentVariable & { attributeStatus: string; attributeValue?: string })[]; calls: number }>(
        'POST',
        `${base}/get-variables`,
        { json: { getVariableData: rest.map(parseVariableRef) } },
      );
      for (const r of answer.getVariableResult) out(`${refText(r)}\t${r.attributeStatus}\t${r.attributeValue ?? ''}`);
      return 0;
    }
    case 'set': {
      if (rest.length === 0) throw new StartupError('station variables set needs at least one REF=VALUE');
      const setVariableData = rest.map((arg) => {
        const eq = arg.indexOf('=');
        if (eq < 0) throw new StartupError(`"${arg}" is not REF=VALUE`);
        return { ...parseVariableRef(arg.slice(0, eq)), attributeValue: arg.slice(eq + 1) };
      });
      const answer = await call<{ setVariableResult: (ComponentVariable & { attributeStatus: string })[]; rebootRequired: boolean }>('POST', `${base}/set-variables`, {
        json: { setVariableData },
      });
      for (const r of answer.setVariableResult) out(`${refText(r)}\t${r.attributeStatus}`);
      if (answer.rebootRequired) out('the station applies some values after a reboot');
      return answer.setVariableResult.every((r) => r.attributeStatus === 'Accepted' || r.attributeStatus === 'RebootRequired') ? 0 : 1;
    }
    case 'show': {
      const query = new URLSearchParams();
      if (values.component) query.set('component', values.component);
      if (values.variable) query.set('variable', values.variable);
      const { items } = await call<{ items: (ComponentVariable & { attributes: { type: string; value?: string; mutability?: string }[] })[] }>(
        'GET',
        `${base}/device-model${query.size > 0 ? `?${query}` : ''}`,
      );
      for (const v of items) {
        out(`${refText(v)}\t${v.attributes.map((a) => `${a.type}=${a.value ?? ''}${a.mutability ? ` (${a.mutability})` : ''}`).join('\t')}`);
      }
      return 0;
    }
    default:
      throw new StartupError(`unknown station variables command "${sub}" (see ampline station variables --help)`);
  }
}
