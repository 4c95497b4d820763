/**
 * The OpenAPI document as published at `/openapi.json`: what @hono/zod-openapi generates from the
 * routes, corrected where the conversion loses the truth, plus the error responses every operation
 * can give whatever its route declares. Partners generate clients from this document and the test
 * suite validates every response against it (test/helpers/contract.ts). Runtime-neutral.
 */
import { PROBLEM_CONTENT_TYPE } from "./errors";

// biome-ignore lint/suspicious/noExplicitAny: a JSON document walked generically.
type Json = any;

/** Responses the pipeline in `createApp` can give on any operation, by status. */
const SHARED = {
  400: { name: "BadRequest", description: "Bad Request: malformed JSON, an invalid parameter, or an API key in the query string." },
  401: { name: "Unauthorized", description: "Unauthorized: the API key is missing, unknown, malformed or revoked." },
  413: { name: "ContentTooLarge", description: "Content Too Large: the request body is over the configured limit." },
  415: {
    name: "UnsupportedMediaType",
    description: "Unsupported Media Type: send application/json (application/merge-patch+json for PATCH).",
  },
  429: {
    name: "TooManyRequests",
    description: "Too Many Requests: over the rate limit for this key or client address; see RateLimit and Retry-After.",
  },
  500: { name: "InternalError", description: "Internal Server Error: quote the request id when you report it." },
} as const;

/** Which shared statuses an operation can answer: the credential rules and 500 everywhere, body rules where a body is read. */
function sharedStatuses(path: string, method: string): (keyof typeof SHARED)[] {
  const statuses: (keyof typeof SHARED)[] = [400, 401, 500];
  if (path.startsWith("/v1/")) statuses.push(429);
  if (method !== "get" && method !== "head") statuses.push(413);
  if (path.startsWith("/v1/") && !path.startsWith("/v1/inbound/") && ["post", "put", "patch"].includes(method)) statuses.push(415);
  return statuses;
}

/**
 * zod's `.nullable()` on a schema with a name becomes `allOf: [{$ref}, {type: [..., "null"]}]`, which no
 * null satisfies (the `$ref` branch refuses it). Published as `anyOf: [{$ref}, {type: "null"}]`.
 */
function fixNullableRefs(node: Json): Json {
  if (Array.isArray(node)) return node.map(fixNullableRefs);
  if (!node || typeof node !== "object") return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) out[key] = fixNullableRefs(value);
  const all = out.allOf;
  if (Array.isArray(all) && all.length === 2 && all[0]?.$ref && Array.isArray(all[1]?.type) && all[1].type.includes("null")) {
    const { type: _type, ...rest } = all[1];
    delete out.allOf;
    return { ...out, ...rest, anyOf: [all[0], { type: "null" }] };
  }
  return out;
}

/** The generated document, corrected and completed (see the module comment). */
export function publishedDocument(generated: Json): Json {
  const doc = fixNullableRefs(generated);
  doc.components ??= {};
  doc.components.responses ??= {};
  for (const [path, item] of Object.entries(doc.paths ?? {}) as [string, Json][]) {
    for (const [method, operation] of Object.entries(item) as [string, Json][]) {
      if (!operation?.responses) continue;
      // A body-less response is declared with an empty `content` to keep the handler typed (`notModified`, src/lib/etag.ts); published without it.
      for (const response of Object.values(operation.responses) as Json[]) {
        if (response.content && Object.keys(response.content).length === 0) delete response.content;
      }
      for (const status of sharedStatuses(path, method)) {
        if (operation.responses[status]) continue;
        const { name, description } = SHARED[status];
        operation.responses[status] = { $ref: `#/components/responses/${name}` };
        doc.components.responses[name] ??= {
          description,
          content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: "#/components/schemas/Problem" } } },
        };
      }
    }
  }
  return doc;
}
