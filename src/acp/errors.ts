/**
 * Errors on the ACP checkout routes, in the protocol's flat shape
 * (`{ type, code, message, param? }`, `param` an RFC 9535 JSONPath) instead of
 * problem+json: an agent built against ACP parses these. `app.ts` hands every
 * error raised under `/checkout_sessions` here (auth, body limits, validation,
 * idempotency, the journeys' own refusals).
 */
import { z } from "@hono/zod-openapi";
import { ApiError } from "../lib/errors";

export const ACP_API_VERSION = "2026-04-17";
export const ACP_SUPPORTED_VERSIONS = [ACP_API_VERSION] as const;

type AcpErrorType = "invalid_request" | "processing_error" | "service_unavailable";

export class AcpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly options: { param?: string; type?: AcpErrorType; headers?: Record<string, string>; supportedVersions?: boolean } = {},
  ) {
    super(message);
    this.name = "AcpError";
  }

  get type(): AcpErrorType {
    return this.options.type ?? (this.status >= 500 ? "processing_error" : "invalid_request");
  }

  body(): AcpErrorBody {
    return {
      type: this.type,
      code: this.code,
      message: this.message,
      ...(this.options.param ? { param: this.options.param } : {}),
      ...(this.options.supportedVersions ? { supported_versions: [...ACP_SUPPORTED_VERSIONS] } : {}),
    };
  }
}

export const AcpErrorSchema = z
  .object({
    type: z.enum(["invalid_request", "processing_error", "service_unavailable"]),
    code: z.string().openapi({ example: "idempotency_key_required" }),
    message: z.string().openapi({ example: "Idempotency-Key header is required on all POST requests." }),
    param: z.string().optional().openapi({ description: "RFC 9535 JSONPath to the offending field.", example: "$.line_items[0].id" }),
    supported_versions: z
      .array(z.string())
      .optional()
      .openapi({ example: [ACP_API_VERSION] }),
  })
  .openapi("AcpError", { description: "An Agentic Commerce Protocol error (flat, not problem+json)." });
export type AcpErrorBody = z.infer<typeof AcpErrorSchema>;

/** `/line_items/0/id` → `$.line_items[0].id`. */
export function pointerToJsonPath(pointer: string): string {
  const parts = pointer.split("/").slice(1);
  return `$${parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, "/").replace(/~0/g, "~")}`)).join("")}`;
}

/** The ACP codes of Unison's own error codes where the protocol names one. */
const CODE_OF: Record<string, string> = {
  idempotency_key_reused: "idempotency_conflict",
  validation_failed: "invalid",
  malformed_json: "invalid",
  json_too_deep: "invalid",
  invalid_api_key: "invalid_api_key",
  unauthorized: "unauthorized",
};

/** Any error raised while serving an ACP route, as an ACP error. Unexpected errors keep their details to the log. */
export function toAcpError(error: unknown): AcpError | null {
  if (error instanceof AcpError) return error;
  if (error instanceof ApiError) {
    const errors = error.extra.errors as { pointer?: string; in?: string }[] | undefined;
    const first = errors?.find((e) => e.in === "body");
    return new AcpError(error.status, CODE_OF[error.code] ?? error.code, error.message, {
      ...(first?.pointer !== undefined ? { param: pointerToJsonPath(first.pointer) } : {}),
      ...(error.status === 503 ? { type: "service_unavailable" as const } : {}),
      headers: error.headers,
    });
  }
  return null;
}

export function acpErrorResponse(error: AcpError, requestId: string): Response {
  return new Response(JSON.stringify(error.body()), {
    status: error.status,
    headers: { "content-type": "application/json", "x-request-id": requestId, ...(error.options.headers ?? {}) },
  });
}

/** Whether a path is one of the ACP checkout routes (their errors take the ACP shape). */
export function isAcpCheckoutPath(path: string): boolean {
  return path === "/checkout_sessions" || path.startsWith("/checkout_sessions/");
}
