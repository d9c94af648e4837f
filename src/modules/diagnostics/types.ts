import type { RequestedBy } from '../../platform/requester.js';

export type LogType = 'DiagnosticsLog' | 'SecurityLog';

export interface LogFileView {
  id: string;
  requestId: number;
  fileName: string;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  uploadedAt: string;
}

export interface LogRequestView {
  requestId: number;
  stationId: string;
  action: string;
  logType: string;
  status: string;
  fileName: string | null;
  /** Where the station was told to upload (absent in lists: the link is a credential while it lives). */
  uploadUrl?: string;
  createdAt: string;
  updatedAt: string;
  files: LogFileView[];
}

export interface RequestLogInput {
  logType: LogType;
  /** Who asked (the command history's requestedBy). */
  requestedBy: RequestedBy;
  /** 1.6 only: GetLog of the security extension instead of GetDiagnostics for a DiagnosticsLog. */
  useGetLog?: boolean | undefined;
  oldest?: Date | undefined;
  latest?: Date | undefined;
  retries?: number | undefined;
  retryIntervalS?: number | undefined;
}

export interface UploadedLog {
  data: Buffer;
  fileName: string | undefined;
  contentType: string | undefined;
}
