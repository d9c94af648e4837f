import { toIdTagInfo16, type IdTagInfo16 } from '../../../modules/authorization/index.js';
import type { Handler } from '../../handler.js';

export interface AuthorizeReq {
  idTag: string;
}

export interface AuthorizeConf {
  idTagInfo: IdTagInfo16;
}

/** 1.6 §4.2: an idTag has no type, so the domain matches it against tokens of any type. */
export const authorize: Handler<AuthorizeReq, AuthorizeConf> = async (ctx, req) => {
  const result = await ctx.services.authorization.authorize(ctx.link.tenantId, { idToken: req.idTag }, { stationId: ctx.link.stationId });
  return { idTagInfo: toIdTagInfo16(result) };
};
