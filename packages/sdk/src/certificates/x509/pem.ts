/** PEM armour (RFC 7468, strict profile: one block, known label, base64 body). */
import { fromBase64, toBase64 } from '../../crypto/bytes.js';
import { InvalidInputError } from '../../errors.js';

export type PemLabel = 'CERTIFICATE' | 'CERTIFICATE REQUEST' | 'X509 CRL' | 'PRIVATE KEY' | 'PUBLIC KEY';

export const toPem = (label: PemLabel, der: Uint8Array): string => {
  const b64 = toBase64(der);
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
};

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block with the given label, in order (a bundle may hold a chain). */
export const pemBlocks = (text: string, label: PemLabel): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (const m of text.matchAll(BLOCK)) {
    if (m[1] !== label) continue;
    out.push(fromBase64((m[2] ?? '').replace(/\s+/g, '')));
  }
  return out;
};

/** Exactly one block with `label`. Error messages never echo the input (it may be a private key). */
export const fromPem = (text: string, label: PemLabel): Uint8Array => {
  const blocks = pemBlocks(text, label);
  if (blocks.length !== 1)
    throw new InvalidInputError(`expected exactly one PEM ${label} block, found ${blocks.length}`);
  return blocks[0] as Uint8Array;
};

export const isPem = (text: string): boolean => text.includes('-----BEGIN ');
