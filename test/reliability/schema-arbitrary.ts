/**
 * fast-check arbitraries from the JSON Schemas of the served /openapi.json: values that satisfy a
 * schema (to reach code behind validation) and values that break it in one place (a required
 * field dropped, a field of the wrong type, an unknown field). Covers the subset the document
 * uses: $ref, allOf (first member with a type), anyOf / oneOf, enum, const, nullable type arrays,
 * objects (required / optional / additionalProperties), arrays (min/maxItems), strings (pattern,
 * min/maxLength, uri / date / date-time), integers and numbers (minimum / maximum), booleans.
 */
import fc from "fast-check";

type Schema = Record<string, any>;

export function schemaArbitraries(components: Record<string, Schema>) {
  const resolve = (schema: Schema): Schema => {
    let s = schema;
    for (let i = 0; s?.$ref && i < 10; i++) s = components[String(s.$ref).replace("#/components/schemas/", "")] ?? {};
    if (s?.allOf) return { ...resolve(s.allOf.find((m: Schema) => resolve(m).type || resolve(m).properties) ?? {}), ...omit(s, "allOf") };
    return s ?? {};
  };

  const valid = (schema: Schema, depth = 0): fc.Arbitrary<unknown> => {
    const s = resolve(schema);
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const union = s.anyOf ?? s.oneOf;
    if (union) return fc.oneof(...union.map((m: Schema) => valid(m, depth + 1)));
    const types: string[] = Array.isArray(s.type) ? s.type : [s.type ?? (s.properties ? "object" : "any")];
    const generated = fc.oneof(...types.map((type) => ofType(s, type, depth)));
    return s.example !== undefined ? fc.oneof(fc.constant(s.example), generated) : generated;
  };

  const ofType = (s: Schema, type: string, depth: number): fc.Arbitrary<unknown> => {
    switch (type) {
      case "null":
        return fc.constant(null);
      case "boolean":
        return fc.boolean();
      case "integer":
        return fc.integer({ min: s.minimum ?? -1000, max: s.maximum ?? 1_000_000 });
      case "number":
        return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true });
      case "string":
        return stringOf(s);
      case "array": {
        const min = s.minItems ?? 0;
        const max = Math.min(s.maxItems ?? 3, min + 3);
        return depth > 4 ? fc.constant([]) : fc.array(valid(s.items ?? {}, depth + 1), { minLength: min, maxLength: max });
      }
      case "object": {
        if (depth > 4) return fc.constant({});
        const properties: Record<string, Schema> = s.properties ?? {};
        const shape = Object.fromEntries(Object.entries(properties).map(([k, p]) => [k, valid(p, depth + 1)]));
        const fixed = fc.record(shape, { requiredKeys: (s.required ?? []).filter((k: string) => k in properties) });
        if (typeof s.additionalProperties !== "object") return fixed;
        const extra = fc.dictionary(fc.constantFrom("en", "fr", "de", "x"), valid(s.additionalProperties, depth + 1), { maxKeys: 3 });
        return fc.tuple(fixed, extra).map(([a, b]) => ({ ...b, ...a }));
      }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  };

  const stringOf = (s: Schema): fc.Arbitrary<string> => {
    if (s.format === "date-time") return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
    if (s.format === "date") return fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    if (s.format === "uri") return fc.constantFrom("https://hooks.partner.example/unison", "https://example.com/a?b=c");
    const bounds = { minLength: s.minLength ?? 0, maxLength: Math.min(s.maxLength ?? 40, 60) };
    if (s.pattern) {
      return fc
        .stringMatching(new RegExp(s.pattern))
        .filter((v) => v.length >= bounds.minLength && v.length <= (s.maxLength ?? Number.POSITIVE_INFINITY));
    }
    return fc.string(bounds);
  };

  /** A value valid for `schema` except in one place. */
  const broken = (schema: Schema): fc.Arbitrary<unknown> => {
    const s = resolve(schema);
    const wrongType = fc.constantFrom<unknown>(null, 42, "text", [], {}, true, -1, "", "x".repeat(3000));
    if (!s.properties) return wrongType;
    const keys = Object.keys(s.properties);
    return fc.tuple(valid(s) as fc.Arbitrary<Record<string, unknown>>, fc.nat(), wrongType).map(([v, n, bad]) => {
      const out: Record<string, unknown> = { ...v };
      const key = keys[n % keys.length]!;
      switch (n % 3) {
        case 0:
          delete out[(s.required ?? keys)[n % (s.required ?? keys).length] ?? key];
          break;
        case 1:
          out[key] = bad;
          break;
        default:
          out.id = "ent_0"; // read-only / unknown
          out.version = 7;
      }
      return out;
    });
  };

  return { valid, broken, resolve };
}

function omit(o: Schema, key: string): Schema {
  const { [key]: _, ...rest } = o;
  return rest;
}
