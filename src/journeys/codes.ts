/**
 * Short human codes: order numbers and handoff codes. People read them aloud
 * and type them on phones, so the alphabet leaves out 0/O, 1/I/L and U.
 */
const ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * A uniformly random code (rejection sampling: no modulo bias).
 *
 * @example
 * randomCode(8) // "K7QM3XZT"
 */
export function randomCode(length: number): string {
  const limit = 256 - (256 % ALPHABET.length);
  let out = "";
  while (out.length < length) {
    const bytes = new Uint8Array(length * 2);
    crypto.getRandomValues(bytes);
    for (const b of bytes) {
      if (b < limit && out.length < length) out += ALPHABET[b % ALPHABET.length];
    }
  }
  return out;
}

/** Whether a string could be a code of ours (case-insensitive); cheap filtering before a lookup. */
export function isCodeLike(value: string, length: number): boolean {
  return value.length === length && [...value.toUpperCase()].every((ch) => ALPHABET.includes(ch));
}

/** An order number such as `UN-K7QM3XZT` (30^8 ≈ 6.6e11: collisions are retried, never assumed away). */
export function newOrderNumber(): string {
  return `UN-${randomCode(8)}`;
}

/** Handoff codes: 8 characters, 30^8 possibilities, single use, valid 30 minutes. */
export const HANDOFF_CODE_LENGTH = 8;
