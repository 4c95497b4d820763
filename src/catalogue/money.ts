/**
 * Prices are formatted here and nowhere else (CHANNELS.md rule 3: the same
 * bytes on every channel). Amounts are integers in the currency's minor unit;
 * `Intl` knows how many decimals each currency has.
 */
import { z } from "@hono/zod-openapi";

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(locale: string, currency: string): Intl.NumberFormat {
  const id = `${locale}|${currency}`;
  let f = formatters.get(id);
  if (!f) {
    f = new Intl.NumberFormat(locale, { style: "currency", currency });
    formatters.set(id, f);
  }
  return f;
}

export const MoneySchema = z
  .object({
    amount: z.number().int().openapi({ description: "In minor units (cents).", example: 8900 }),
    currency: z.string().openapi({ example: "EUR" }),
    formatted: z.string().openapi({ description: "Formatted once, for the resolved locale.", example: "€89.00" }),
  })
  .openapi("Money");
export type Money = z.infer<typeof MoneySchema>;

/**
 * @example
 * money(8900, "EUR", "fr") // { amount: 8900, currency: "EUR", formatted: "89,00 €" }
 */
export function money(amount: number, currency: string, locale: string): Money {
  const f = formatter(locale, currency);
  const digits = f.resolvedOptions().maximumFractionDigits ?? 2;
  return { amount, currency, formatted: f.format(amount / 10 ** digits) };
}
