/** node:crypto HMAC-SHA3-256 for blind indexes: same bytes as the engine's noble default, faster. */
import { createHmac } from 'node:crypto';
import type { HmacSha3_256 } from '@quantumapi/sdk/fields';

export const nodeHmacSha3_256: HmacSha3_256 = (key, message) =>
  new Uint8Array(createHmac('sha3-256', key).update(message).digest());
