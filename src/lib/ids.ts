/**
 * Ids are generated in the app (D1 batches cannot read back generated keys).
 * They sort by creation: 12 hex digits of milliseconds, a 4-digit counter that
 * keeps ids made in the same millisecond in order, then 64 random bits.
 */
let lastMs = 0;
let counter = 0;

export function newId(prefix: string): string {
  const ms = Date.now();
  if (ms === lastMs) counter = (counter + 1) & 0xffff;
  else {
    lastMs = ms;
    counter = 0;
  }
  const random = new Uint8Array(8);
  crypto.getRandomValues(random);
  const hex = [...random].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${prefix}_${ms.toString(16).padStart(12, "0")}${counter.toString(16).padStart(4, "0")}${hex}`;
}

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
