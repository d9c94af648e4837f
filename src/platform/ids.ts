import { randomBytes, randomUUID } from 'node:crypto';

export interface IdSource {
  uuid(): string;
  /** URL-safe random secret of the given entropy in bytes. */
  secret(bytes?: number): string;
}

export const cryptoIds: IdSource = {
  uuid: () => randomUUID(),
  secret: (bytes = 32) => randomBytes(bytes).toString('base64url'),
};
