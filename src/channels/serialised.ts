/**
 * JSON a renderer has just serialised, kept with the object it was serialised from (docs/architecture.md,
 * "The consistency engine"): the engine inspects each body right after rendering it, and parsing back the
 * bytes just made from an object was up to half of an inspection's cost. Only the last body is kept, and it
 * is taken once: any other string, or the same body inspected a second time, is parsed from its bytes.
 * Runtime-neutral; one per renderer module (per isolate on Workers, where a render and its inspection run
 * without an await between them).
 *
 * The caller decides when the object may stand for the parse: it must hold only JSON values where the
 * inspection reads (strings, finite numbers, booleans, null, plain objects and arrays; an `undefined`
 * property reads as an absent one), and nothing may change it after it is serialised.
 *
 * @example
 * const screens = justSerialised<Screen>();
 * const body = screens.stringify(screen);       // in render
 * const parsed = screens.take(body) ?? JSON.parse(body); // in inspect
 */
export function justSerialised<T>(): { stringify(value: T): string; take(body: string): T | undefined } {
  let last: { body: string; value: T } | null = null;
  return {
    stringify(value) {
      const body = JSON.stringify(value);
      last = { body, value };
      return body;
    },
    take(body) {
      // `===`, not a Map: the body is usually the very string render returned (a pointer compare).
      if (last === null || last.body !== body) return undefined;
      const { value } = last;
      last = null;
      return value;
    },
  };
}
