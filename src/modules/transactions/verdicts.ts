import type { IdTagInfo, TokenStatus, TokenVerdict } from './types.js';

/** A verdict turned Accepted: the token's "other" transaction is the one asked about (a stop, a retry, a later event). */
export function accepted(verdict: TokenVerdict): TokenVerdict {
  return { status: 'Accepted', idTagInfo: { ...verdict.idTagInfo, status: 'Accepted' }, idTokenInfo: { ...verdict.idTokenInfo, status: 'Accepted' } };
}

const IDTAG_STATUSES: readonly string[] = ['Accepted', 'Blocked', 'Expired', 'Invalid', 'ConcurrentTx'];

/** The first delivery's answer again, with the details (expiry, group) of a fresh look-up. */
export function replayedVerdict(status: string | null, fresh: TokenVerdict): TokenVerdict {
  if (status === null || status === fresh.status) return fresh;
  const tokenStatus = status as TokenStatus;
  return {
    status: tokenStatus,
    idTagInfo: { ...fresh.idTagInfo, status: (IDTAG_STATUSES.includes(status) ? status : 'Invalid') as IdTagInfo['status'] },
    idTokenInfo: { ...fresh.idTokenInfo, status: tokenStatus },
  };
}
