/**
 * HPKE encryption contexts (RFC 9180 §5.2, §5.3). Secrets live in private fields so that neither
 * JSON.stringify nor util.inspect can print them.
 */
import { InvalidInputError, KeyUsageError } from '../../errors.js';
import type { HpkeAead } from './aead.js';
import type { HpkeKdf, KeyScheduleOutput } from './kdf.js';
import type { HpkeSuite } from './suites.js';

const EMPTY = new Uint8Array(0);

abstract class HpkeContext {
  readonly suite: HpkeSuite;
  readonly #aead: HpkeAead;
  readonly #kdf: HpkeKdf;
  readonly #suiteId: Uint8Array;
  readonly #key: Uint8Array;
  readonly #baseNonce: Uint8Array;
  readonly #exporterSecret: Uint8Array;
  #seq = 0;

  constructor(suite: HpkeSuite, suiteId: Uint8Array, kdf: HpkeKdf, aead: HpkeAead, secrets: KeyScheduleOutput) {
    this.suite = suite;
    this.#suiteId = suiteId;
    this.#kdf = kdf;
    this.#aead = aead;
    this.#key = secrets.key;
    this.#baseNonce = secrets.baseNonce;
    this.#exporterSecret = secrets.exporterSecret;
  }

  /** Number of messages sealed/opened so far: the next message's sequence number. */
  get seq(): number {
    return this.#seq;
  }

  /** Secret export (RFC 9180 §5.3): `length` bytes bound to this context and `exporterContext`. */
  export(exporterContext: Uint8Array, length: number): Uint8Array {
    if (!(exporterContext instanceof Uint8Array)) throw new InvalidInputError('exporter context must be bytes');
    if (!Number.isInteger(length) || length < 1 || length > this.#kdf.maxExportLength) {
      throw new InvalidInputError(`export length must be 1..${this.#kdf.maxExportLength}`);
    }
    return this.#kdf.export(this.#suiteId, this.#exporterSecret, exporterContext, length);
  }

  /** nonce = base_nonce XOR I2OSP(seq, Nn). seq stays below 2^53, far under the 2^96 limit. */
  #nonce(): Uint8Array {
    if (this.#seq >= Number.MAX_SAFE_INTEGER) {
      throw new KeyUsageError('HPKE context message limit reached');
    }
    const nonce = this.#baseNonce.slice();
    let s = this.#seq;
    for (let i = nonce.length - 1; i >= 0 && s > 0; i--) {
      nonce[i] = (nonce[i] as number) ^ (s & 0xff);
      s = Math.floor(s / 256);
    }
    return nonce;
  }

  protected sealNext(plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
    if (!(plaintext instanceof Uint8Array) || !(aad instanceof Uint8Array)) {
      throw new InvalidInputError('plaintext and aad must be bytes');
    }
    const ct = this.#aead.seal(this.#key, this.#nonce(), aad, plaintext);
    this.#seq++;
    return ct;
  }

  /** The sequence number only advances on success, so a forged message does not desynchronise. */
  protected openNext(ciphertext: Uint8Array, aad: Uint8Array): Uint8Array {
    if (!(ciphertext instanceof Uint8Array) || !(aad instanceof Uint8Array)) {
      throw new InvalidInputError('ciphertext and aad must be bytes');
    }
    const pt = this.#aead.open(this.#key, this.#nonce(), aad, ciphertext);
    this.#seq++;
    return pt;
  }
}

/** The sender side: seal messages in order, export secrets. */
export class HpkeSenderContext extends HpkeContext {
  seal(plaintext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    return this.sealNext(plaintext, aad);
  }
}

/** The receiver side: open messages in the order they were sealed, export secrets. */
export class HpkeReceiverContext extends HpkeContext {
  open(ciphertext: Uint8Array, aad: Uint8Array = EMPTY): Uint8Array {
    return this.openNext(ciphertext, aad);
  }
}
