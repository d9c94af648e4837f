import type { Generated } from 'kysely';

/** 1.6 configuration keys per station, as last reported or accepted. */
export interface DeviceConfigurationTable {
  tenant_id: string;
  station_id: string;
  key: string;
  value: string | null;
  readonly: boolean;
  reboot_required: boolean;
  updated_at: Date;
}

/** 2.0.1 device model: one row per component/variable; attributes and characteristics as JSON. */
export interface DeviceVariablesTable {
  tenant_id: string;
  station_id: string;
  /** component|instance|evse|connector|variable|instance: the identity a report or a result names. */
  ref: string;
  component_name: string;
  variable_name: string;
  component: string;
  variable: string;
  attributes: string;
  characteristics: string | null;
  updated_at: Date;
}

export interface DeviceMonitorsTable {
  tenant_id: string;
  station_id: string;
  monitor_id: number;
  component: string;
  variable: string;
  type: string;
  value: number;
  severity: number;
  transaction: boolean;
  updated_at: Date;
}

export interface DeviceEventsTable {
  id: Generated<number>;
  tenant_id: string;
  station_id: string;
  event_id: number;
  event_at: Date;
  trigger: string;
  notification_type: string;
  component: string;
  variable: string;
  actual_value: string;
  cleared: boolean;
  tech_code: string | null;
  tech_info: string | null;
  cause: number | null;
  transaction_id: string | null;
  monitoring_id: number | null;
  received_at: Date;
}

export interface ConfigTemplatesTable {
  id: string;
  tenant_id: string;
  name: string;
  ocpp_version: string;
  settings: string;
  created_at: Date;
}

/** A template assigned to a station or to every station of a site; a station's own wins. */
export interface ConfigTemplateAssignmentsTable {
  tenant_id: string;
  scope: 'station' | 'site';
  target_id: string;
  template_id: string;
}

export interface DeviceModelTables {
  device_configuration: DeviceConfigurationTable;
  device_variables: DeviceVariablesTable;
  device_monitors: DeviceMonitorsTable;
  device_events: DeviceEventsTable;
  config_templates: ConfigTemplatesTable;
  config_template_assignments: ConfigTemplateAssignmentsTable;
}
