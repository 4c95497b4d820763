/** Cursor pagination, the same on every list: `limit` ≤ {@link MAX_PAGE}, an opaque `cursor`, `nextCursor` back. */
import { z } from "@hono/zod-openapi";

export const MAX_PAGE = 100;

/** The `limit` and `cursor` query parameters, with a per-list default page size. */
export function pageQuery(defaultLimit: number) {
  return {
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(MAX_PAGE)
      .default(defaultLimit)
      .openapi({ description: `Page size, 1–${MAX_PAGE}.`, example: defaultLimit }),
    cursor: z.string().max(512).optional().openapi({ description: "The `nextCursor` of the previous page." }),
  };
}

/** A page of `item`s as a named component; `extra` adds fields such as the resolved locale. */
export function pageOf<T extends z.ZodTypeAny, E extends z.ZodRawShape = Record<never, never>>(item: T, name: string, extra?: E) {
  return z
    .object({
      data: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null on the last page." }),
      ...((extra ?? {}) as E),
    })
    .openapi(name);
}
