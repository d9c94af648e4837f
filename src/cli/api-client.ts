import { StartupError } from '../platform/errors.js';

export type ApiBody = { json: unknown } | { csv: string };

/** A call against a running server's REST API, for CLI commands given --url; errors are one line. */
export type ApiCall = <T>(method: string, path: string, body?: ApiBody) => Promise<T>;

export function apiCaller(baseUrl: string, token: string | undefined): ApiCall {
  if (!token) throw new StartupError('--url needs an API token: --token TOKEN or AMPLINE_TOKEN');
  return async <T>(method: string, path: string, body?: ApiBody): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(new URL(path, baseUrl), {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'json' in body ? 'application/json' : 'text/csv; charset=utf-8' } : {}),
        },
        ...(body ? { body: 'json' in body ? JSON.stringify(body.json) : body.csv } : {}),
      });
    } catch (err) {
      throw new StartupError(`cannot reach ${baseUrl}: ${(err as Error).message}`);
    }
    const payload = (await response.json().catch(() => ({}))) as { detail?: string };
    if (!response.ok) throw new StartupError(`${method} ${path} failed (${response.status}): ${payload.detail ?? response.statusText}`);
    return payload as T;
  };
}
