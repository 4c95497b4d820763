/**
 * The one error module. Every non-2xx response is RFC 9457 `application/problem+json`
 * with a stable `code`; domain code throws {@link ApiError}, and `onError` in
 * `app.ts` is the only place that turns errors into responses.
 */
import { z } from "@hono/zod-openapi";

/** Stable machine-readable codes and the HTTP status each maps to. */
export const ERROR_CODES = {
  bad_request: 400,
  validation_failed: 400,
  malformed_json: 400,
  json_too_deep: 400,
  invalid_cursor: 400,
  unsupported_locale: 400,
  credentials_in_query: 400,
  idempotency_key_required: 400,
  unauthorized: 401,
  invalid_api_key: 401,
  forbidden: 403,
  insufficient_scope: 403,
  not_found: 404,
  route_not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  conflict: 409,
  already_exists: 409,
  idempotency_in_flight: 409,
  out_of_stock: 409,
  handoff_used: 409,
  handoff_expired: 410,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  invalid_reference: 422,
  idempotency_key_reused: 422,
  parity_failed: 422,
  action_disabled: 422,
  webhook_target_refused: 422,
  cart_empty: 422,
  channel_unreachable: 422,
  sender_not_configured: 422,
  precondition_required: 428,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  409: "Conflict",
  410: "Gone",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  428: "Precondition Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** One failing field: where it is (`in` + JSON Pointer) and what is wrong with it. */
export interface FieldError {
  in: "body" | "query" | "path" | "header";
  pointer: string;
  code: string;
  message: string;
}

/**
 * A typed, expected failure. Throw it from anywhere; `onError` renders it.
 *
 * @example
 * throw new ApiError("not_found", `No product with slug "${slug}".`);
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, detail: string, options: { extra?: Record<string, unknown>; headers?: Record<string, string> } = {}) {
    super(detail);
    this.name = "ApiError";
    this.code = code;
    this.status = ERROR_CODES[code];
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
  }
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** Builds the problem document for a code; used by `onError`, `notFound` and the validation hook. */
export function problemBody(code: ErrorCode, detail: string, requestId: string | undefined, extra: Record<string, unknown> = {}) {
  const status = ERROR_CODES[code];
  return {
    type: `https://unison.dev/problems/${code.replaceAll("_", "-")}`,
    title: TITLES[status] ?? "Error",
    status,
    detail,
    code,
    requestId: requestId ?? null,
    ...extra,
  };
}

/** Renders a problem as a Response. */
export function problemResponse(
  code: ErrorCode,
  detail: string,
  requestId: string | undefined,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Response {
  const body = problemBody(code, detail, requestId, extra);
  return new Response(JSON.stringify(body), {
    status: body.status,
    headers: {
      "content-type": PROBLEM_CONTENT_TYPE,
      "cache-control": "no-store",
      ...(requestId ? { "x-request-id": requestId } : {}),
      ...headers,
    },
  });
}

/** Escapes one JSON Pointer reference token (RFC 6901). */
function escapeToken(token: PropertyKey): string {
  return String(token).replaceAll("~", "~0").replaceAll("/", "~1");
}

/** Turns a path of keys into a JSON Pointer: `["title","en"]` → `/title/en`. */
export function toPointer(path: readonly PropertyKey[]): string {
  return path.map((p) => `/${escapeToken(p)}`).join("");
}

/** Maps zod issues to field errors; an unrecognized key is reported at its own pointer. */
export function zodIssuesToFieldErrors(issues: readonly z.core.$ZodIssue[], where: FieldError["in"]): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({
          in: where,
          pointer: toPointer([...issue.path, key]),
          code: "unknown_field",
          message: `Unknown or read-only field "${key}".`,
        });
      }
      continue;
    }
    out.push({ in: where, pointer: toPointer(issue.path), code: issue.code, message: issue.message });
  }
  return out;
}

/** Raises a `validation_failed` ApiError for zod issues. */
export function validationError(issues: readonly z.core.$ZodIssue[], where: FieldError["in"], detail?: string): ApiError {
  const errors = zodIssuesToFieldErrors(issues, where);
  return new ApiError("validation_failed", detail ?? `The request ${where} is invalid: ${errors.length} problem(s).`, {
    extra: { errors },
  });
}

/** The problem document as an OpenAPI schema, shared by every route's error responses. */
export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: "https://unison.dev/problems/not-found" }),
    title: z.string().openapi({ example: "Not Found" }),
    status: z.number().int().openapi({ example: 404 }),
    detail: z.string().openapi({ example: 'No product with slug "merino-crew".' }),
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]).openapi({ example: "not_found" }),
    requestId: z.string().nullable().openapi({ example: "0f4a1c9e-6a55-4a8e-9d2b-3f3e1b8c2d10" }),
    errors: z
      .array(
        z.object({
          in: z.enum(["body", "query", "path", "header"]),
          pointer: z.string().openapi({ example: "/title/en" }),
          code: z.string().openapi({ example: "too_small" }),
          message: z.string(),
        }),
      )
      .optional()
      .openapi({ description: "For validation failures: each failing field, by JSON Pointer." }),
    currentVersion: z
      .number()
      .int()
      .nullable()
      .optional()
      .openapi({ description: 'For 412: the entity\'s current version (its ETag is `"v<version>"`); null when it no longer exists.' }),
    violations: z
      .array(z.record(z.string(), z.unknown()))
      .optional()
      // The items are the consistency engine's `Violation` (src/consistency/schemas.ts), named by reference: this
      // layer does not import the engine.
      .openapi({ description: "For `parity_failed`: each violation.", items: { $ref: "#/components/schemas/Violation" } }),
    skus: z
      .array(z.string())
      .optional()
      .openapi({
        description: "For `out_of_stock`: the SKUs that cannot be supplied in the quantities asked.",
        example: ["MER-CREW-NAVY-M"],
      }),
  })
  .openapi("Problem", { description: "An RFC 9457 problem document." });

/** Error responses for route docs: `...errorResponses(401, 403, 404)`. */
export function errorResponses(...statuses: number[]) {
  const out: Record<number, { description: string; content: Record<string, { schema: typeof ProblemSchema }> }> = {};
  for (const status of statuses) {
    out[status] = { description: TITLES[status] ?? "Error", content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } };
  }
  return out;
}
