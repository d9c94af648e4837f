import { parseArgs } from 'node:util';
import { StartupError } from '../platform/errors.js';

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };

/** Options every data command shares: where the server or the data is, and --help. */
const SERVER_OPTIONS = {
  url: { type: 'string' },
  token: { type: 'string' },
  data: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * Parses `ampline <command> ...` with the command's own options plus the shared ones; a bad flag
 * is one line naming it.
 */
export function parseCommandArgs<O extends Record<string, OptionSpec>>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: { ...SERVER_OPTIONS, ...options } });
  } catch (err) {
    throw new StartupError(`${(err as Error).message.split('\n')[0]} (see ampline ${command} --help)`);
  }
}

/** The running server to talk to, from --url/--token or AMPLINE_URL/AMPLINE_TOKEN. */
export function serverOf(values: { url?: string | undefined; token?: string | undefined }): { url: string | undefined; token: string | undefined } {
  return { url: values.url ?? process.env['AMPLINE_URL'], token: values.token ?? process.env['AMPLINE_TOKEN'] };
}
