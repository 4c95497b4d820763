/**
 * The labels the engine cuts out of a text before reading its claims (src/consistency/engine.ts, labelsOf):
 * the catalogue's sorted once, an output's own extra labels merged in. Held to its definition — one stable
 * sort, longest first, of the catalogue's labels then the output's, without repeats or labels of two
 * characters or fewer — for any labels.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ActionView } from "../../src/catalogue/actions";
import { labelsOf } from "../../src/consistency/engine";

const definition = (labels: readonly string[]) =>
  [...new Set(labels)].filter((l) => l.trim().length > 2).sort((a, b) => b.length - a.length);

describe("labels cut before reading claims", () => {
  it("are the catalogue's and the output's labels, longest first, as one stable sort gives them", () => {
    const label = fc.oneof(
      fc.constantFrom("Add to cart", "View details", "Notify me", "Notify me when in stock", "OK", " a ", "Search", "ADD X-1", "VIEW tent"),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(
        fc.array(label, { maxLength: 8 }),
        fc.array(label, { maxLength: 5 }),
        fc.array(label, { maxLength: 4 }),
        (catalogue, controls, offers) => {
          const actions = catalogue.map((l) => ({ label: l }) as ActionView);
          const got = labelsOf(
            actions,
            controls.map((l) => ({ label: l, decoded: null, control: {} as never })),
            offers.map((l) => ({ label: l }) as never),
          );
          expect(got).toEqual(definition([...definition(catalogue), ...controls, ...offers]));
          // Asked again with the same catalogue (its sorted labels remembered): the same answer.
          expect(labelsOf(actions, [], [])).toEqual(definition(catalogue));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
