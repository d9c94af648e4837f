import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql, type Kysely } from 'kysely';
import { pino } from 'pino';
import { openTestDatabase } from './support/test-database.js';
import { startTestServer } from './support/test-server.js';
import { moduleDb, type Database } from '../src/app/database.js';
import { RetentionSweep, type RetentionTarget } from '../src/app/retention.js';
import { SERVE_HELP, parseServeConfig, type ServeConfig } from '../src/config/config.js';
import { FrameArchive } from '../src/modules/stations/index.js';
import type { StationsTables } from '../src/modules/stations/index.js';
import { CommandHistory, type CommandsTables } from '../src/modules/commands/index.js';
import { ManualClock } from '../src/platform/clock.js';
import { RETENTION_BATCH } from '../src/platform/batch-delete.js';
import { StartupError } from '../src/platform/errors.js';

const NOW = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;

/** A logger whose lines the test can read (the sweep must say how many rows it removed). */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('ADR 030 retention sweep (station_frames, station_commands)', () => {
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  let frames: FrameArchive;
  let commands: CommandHistory;

  beforeAll(async () => {
    const opened = await openTestDatabase();
    db = opened.handle.db;
    close = opened.close;
    frames = new FrameArchive(moduleDb<StationsTables>(db), 500, () => undefined);
    commands = new CommandHistory(moduleDb<CommandsTables>(db));
  });
  afterAll(async () => close?.());
  beforeEach(async () => {
    await sql`delete from station_frames`.execute(db);
    await sql`delete from station_commands`.execute(db);
  });

  async function seedFrames(count: number, ageDays: number, stationId = 'CS-1') {
    const rows = Array.from({ length: count }, (_, i) => ({
      tenant_id: 'default',
      station_id: stationId,
      at: new Date(NOW - ageDays * DAY + i),
      direction: 'in',
      frame: `[2,"${ageDays}-${i}","Heartbeat",{}]`,
    }));
    for (let i = 0; i < rows.length; i += 1000) await moduleDb<StationsTables>(db).insertInto('station_frames').values(rows.slice(i, i + 1000)).execute();
  }

  async function seedCommands(count: number, ageDays: number) {
    const rows = Array.from({ length: count }, (_, i) => ({
      tenant_id: 'default',
      station_id: 'CS-1',
      action: 'Reset',
      request: '{"type":"Soft"}',
      requested_by: 'system',
      started_at: new Date(NOW - ageDays * DAY + i),
      duration_ms: 5,
      outcome: 'Accepted',
      error: null,
      response: '{"status":"Accepted"}',
    }));
    for (let i = 0; i < rows.length; i += 1000) await moduleDb<CommandsTables>(db).insertInto('station_commands').values(rows.slice(i, i + 1000)).execute();
  }

  async function count(table: 'station_frames' | 'station_commands'): Promise<number> {
    const result = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(db);
    return result.rows[0]!.n;
  }

  function sweep(frameDays: number, commandDays: number, logger = capturingLogger().logger, extra: RetentionTarget[] = []) {
    return new RetentionSweep({
      targets: [
        { name: 'station_frames', days: frameDays, prune: (olderThan) => frames.prune(olderThan) },
        { name: 'station_commands', days: commandDays, prune: (olderThan) => commands.prune(olderThan) },
        ...extra,
      ],
      clock: new ManualClock(NOW),
      logger,
    });
  }

  it('deletes frames older than 7 days and commands older than 90 days, keeps the newer ones, logs the counts', async () => {
    await seedFrames(4, 8);
    await seedFrames(3, 6);
    await seedCommands(5, 91);
    await seedCommands(2, 89);
    const { logger, lines } = capturingLogger();
    const removed = await sweep(7, 90, logger).sweepOnce();
    expect(removed).toEqual({ station_frames: 4, station_commands: 5 });
    expect(await count('station_frames')).toBe(3);
    expect(await count('station_commands')).toBe(2);
    const kept = await sql<{ at: Date }>`select min(at) as at from station_frames`.execute(db);
    expect(new Date(kept.rows[0]!.at).getTime()).toBeGreaterThanOrEqual(NOW - 7 * DAY);
    const logged = lines.filter((l) => l['msg'] === 'retention sweep removed old rows');
    expect(logged.map((l) => [l['level'], l['table'], l['removed']])).toEqual([
      [30, 'station_frames', 4],
      [30, 'station_commands', 5],
    ]);
  });

  it('0 days keeps everything, however old', async () => {
    await seedFrames(3, 400);
    await seedCommands(3, 4000);
    expect(await sweep(0, 0).sweepOnce()).toEqual({});
    expect(await count('station_frames')).toBe(3);
    expect(await count('station_commands')).toBe(3);
  });

  it(`a backlog larger than one batch (${RETENTION_BATCH} rows) is deleted in full, one bounded statement at a time`, async () => {
    await seedFrames(RETENTION_BATCH + 7, 30);
    await seedFrames(2, 1);
    await seedCommands(RETENTION_BATCH + 3, 100);
    await seedCommands(1, 1);
    const removed = await sweep(7, 90).sweepOnce();
    expect(removed).toEqual({ station_frames: RETENTION_BATCH + 7, station_commands: RETENTION_BATCH + 3 });
    expect(await count('station_frames')).toBe(2);
    expect(await count('station_commands')).toBe(1);
  });

  it('prune with a small batch runs one statement per batch and stops after a short one', async () => {
    await seedCommands(10, 100);
    await seedCommands(1, 1);
    let statements = 0;
    const counted = moduleDb<CommandsTables>(db).withPlugin({
      transformQuery: (args) => {
        statements++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const removed = await new CommandHistory(counted).prune(new Date(NOW - 90 * DAY), 3);
    expect(removed).toBe(10);
    expect(statements).toBe(4); // 3 + 3 + 3 + 1
    expect(await count('station_commands')).toBe(1);
  });

  it('a failing table is logged as an error and does not stop the other table or throw', async () => {
    await seedCommands(2, 100);
    const { logger, lines } = capturingLogger();
    const failing: RetentionTarget = { name: 'broken', days: 1, prune: async () => Promise.reject(new Error('lock timeout')) };
    const s = new RetentionSweep({
      targets: [failing, { name: 'station_commands', days: 90, prune: (olderThan) => commands.prune(olderThan) }],
      clock: new ManualClock(NOW),
      logger,
    });
    expect(await s.sweepOnce()).toEqual({ station_commands: 2 });
    expect(lines.some((l) => l['level'] === 50 && l['table'] === 'broken' && String((l['err'] as { message: string }).message) === 'lock timeout')).toBe(true);
  });
});

describe('ADR 030 retention options', () => {
  function parse(argv: string[], env: NodeJS.ProcessEnv = {}): ServeConfig {
    const config = parseServeConfig(argv, env);
    if (config === 'help') throw new Error('unexpected help');
    return config;
  }

  it('defaults to 7 days of frames and 90 days of commands; 0 is accepted; flags win over environment', () => {
    expect(parse([])).toMatchObject({ frameRetentionDays: 7, commandRetentionDays: 90 });
    expect(parse(['--frame-retention-days', '0', '--command-retention-days', '0'])).toMatchObject({ frameRetentionDays: 0, commandRetentionDays: 0 });
    expect(parse([], { AMPLINE_FRAME_RETENTION_DAYS: '2', AMPLINE_COMMAND_RETENTION_DAYS: '30' })).toMatchObject({ frameRetentionDays: 2, commandRetentionDays: 30 });
    expect(parse(['--frame-retention-days', '3'], { AMPLINE_FRAME_RETENTION_DAYS: '2' })).toMatchObject({ frameRetentionDays: 3 });
  });

  it('a negative, fractional or non-numeric value is refused with a message naming the option', () => {
    expect(() => parse(['--frame-retention-days=-1'])).toThrow(StartupError);
    expect(() => parse(['--frame-retention-days=-1'])).toThrow('--frame-retention-days must be a whole number from 0 to 36500, got "-1"');
    // node:util parseArgs takes "-1" after a space for an option: still refused, naming the option.
    expect(() => parse(['--frame-retention-days', '-1'])).toThrow(/--frame-retention-days/);
    expect(() => parse([], { AMPLINE_FRAME_RETENTION_DAYS: '-3' })).toThrow('--frame-retention-days must be a whole number from 0 to 36500, got "-3"');
    expect(() => parse(['--command-retention-days', 'abc'])).toThrow('--command-retention-days must be a whole number from 0 to 36500, got "abc"');
    expect(() => parse([], { AMPLINE_COMMAND_RETENTION_DAYS: '1.5' })).toThrow('--command-retention-days must be a whole number');
    expect(() => parse([], { AMPLINE_FRAME_RETENTION_DAYS: 'week' })).toThrow('--frame-retention-days must be a whole number');
  });

  it('serve --help lists both options with their environment variables', () => {
    expect(parseServeConfig(['--help'])).toBe('help');
    expect(SERVE_HELP).toContain('--frame-retention-days N');
    expect(SERVE_HELP).toContain('AMPLINE_FRAME_RETENTION_DAYS');
    expect(SERVE_HELP).toContain('--command-retention-days N');
    expect(SERVE_HELP).toContain('AMPLINE_COMMAND_RETENTION_DAYS');
  });

  it('the server sweeps with the configured retention (0 leaves frames out of the sweep)', async () => {
    const server = await startTestServer({ frameRetentionDays: 0, commandRetentionDays: 30 });
    try {
      expect(await server.app.retention.sweepOnce()).toEqual({ station_commands: 0 });
    } finally {
      await server.close();
    }
  });
});
