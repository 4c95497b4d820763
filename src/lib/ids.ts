/** Ids are generated in the app (D1 batches cannot read back generated keys). */
export function newId(prefix: string): string {
  return `${prefix}_${crypto.randomUUID().replaceAll("-", "")}`;
}

export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
