import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino({ level, base: { app: 'ampline' } });
}

export const silentLogger: Logger = pino({ level: 'silent' });
