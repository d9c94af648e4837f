import type { TokenView } from '../authorization/index.js';

/**
 * Version-free local authorization list entries and the plan of messages that bring a station's
 * list to them (1.6 §5.15, 2.0.1 D01). Pure: no I/O, so the rules are tested directly.
 */

export type LocalListProtocol = '1.6' | '2.0.1';

export interface LocalListEntry {
  uid: string;
  /** 2.0.1 IdTokenEnumType; '' for a 1.6 idTag. */
  type: string;
  status: 'Accepted' | 'Blocked' | 'Expired' | 'Invalid';
  expiresAt?: string | undefined;
  /** The group token's uid (1.6 parentIdTag, 2.0.1 groupIdToken). */
  groupId?: string | undefined;
}

/** An entry to add or replace, or (without `entry`) the key of one to remove. */
export interface ListChange {
  key: string;
  uid: string;
  type: string;
  entry?: LocalListEntry | undefined;
}

export interface PlannedMessage {
  updateType: 'Full' | 'Differential';
  version: number;
  changes: ListChange[];
}

/** 1.6 IdToken and parentIdTag are CiString20. */
const ID_TAG_16_MAX = 20;

export function entryKey(uid: string, type: string): string {
  return `${uid.toUpperCase()}|${type}`;
}

/**
 * The list a station should hold: every token valid at this station (no restriction, or a
 * restriction naming it), with its status; a token past its expiry is sent as Expired. 1.6 has
 * no token types, so a uid present under several types is sent once (ISO14443 first, as the
 * 1.6 Authorize matching does) and a uid longer than an idTag is skipped.
 */
export function desiredEntries(tokens: TokenView[], stationId: string, protocol: LocalListProtocol, now: Date): { entries: Map<string, LocalListEntry>; skipped: string[] } {
  const entries = new Map<string, LocalListEntry>();
  const skipped: string[] = [];
  const ordered = [...tokens].sort((a, b) => rank(a.type) - rank(b.type) || a.type.localeCompare(b.type));
  for (const token of ordered) {
    if (token.evseRestrictions && !token.evseRestrictions.some((r) => r.stationId === stationId)) continue;
    if (protocol === '1.6' && token.uid.length > ID_TAG_16_MAX) {
      skipped.push(token.uid);
      continue;
    }
    const type = protocol === '1.6' ? '' : token.type;
    const key = entryKey(token.uid, type);
    if (entries.has(key)) continue;
    const expired = token.expiresAt !== null && new Date(token.expiresAt).getTime() <= now.getTime();
    const entry: LocalListEntry = { uid: token.uid, type, status: expired && token.status === 'Accepted' ? 'Expired' : token.status };
    if (token.expiresAt) entry.expiresAt = new Date(token.expiresAt).toISOString();
    if (token.groupId && (protocol !== '1.6' || token.groupId.length <= ID_TAG_16_MAX)) entry.groupId = token.groupId;
    entries.set(key, entry);
  }
  return { entries, skipped };
}

function rank(type: string): number {
  return type === 'ISO14443' ? 0 : 1;
}

/** What changed between the list the station accepted and the one it should hold. */
export function differences(accepted: Map<string, LocalListEntry>, desired: Map<string, LocalListEntry>): ListChange[] {
  const changes: ListChange[] = [];
  for (const [key, entry] of desired) {
    const before = accepted.get(key);
    if (!before || !sameEntry(before, entry)) changes.push({ key, uid: entry.uid, type: entry.type, entry });
  }
  for (const [key, entry] of accepted) {
    if (!desired.has(key)) changes.push({ key, uid: entry.uid, type: entry.type });
  }
  return changes;
}

function sameEntry(a: LocalListEntry, b: LocalListEntry): boolean {
  return a.status === b.status && a.expiresAt === b.expiresAt && a.groupId === b.groupId && a.uid === b.uid;
}

/**
 * The messages for an update. A Full list longer than one message is sent as a Full first part
 * followed by Differential parts that add the rest (D01.FR.03/D01.FR.15; the same works under 1.6
 * §5.15, where a Differential adds entries). Each message has its own, larger version number, so
 * no part is refused as VersionMismatch (1.6 §6.42, D01.FR.01).
 */
export function planMessages(updateType: 'Full' | 'Differential', changes: ListChange[], firstVersion: number, itemsPerMessage: number | undefined): PlannedMessage[] {
  // An empty Full empties the list (D01.FR.04); an empty Differential would change nothing but the version.
  if (updateType === 'Differential' && changes.length === 0) return [];
  const size = itemsPerMessage && itemsPerMessage > 0 ? itemsPerMessage : Math.max(1, changes.length);
  const messages: PlannedMessage[] = [];
  for (let i = 0; i < Math.max(1, changes.length); i += size) {
    messages.push({ updateType: i === 0 ? updateType : 'Differential', version: firstVersion + messages.length, changes: changes.slice(i, i + size) });
  }
  return messages;
}

/** The station's list after it accepted `message`. */
export function applyMessage(list: Map<string, LocalListEntry>, message: PlannedMessage): Map<string, LocalListEntry> {
  const next = message.updateType === 'Full' ? new Map<string, LocalListEntry>() : new Map(list);
  for (const change of message.changes) {
    if (change.entry) next.set(change.key, change.entry);
    else next.delete(change.key);
  }
  return next;
}
