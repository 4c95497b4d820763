/**
 * Prices are formatted here and nowhere else (docs/channels.md rule 3: the same
 * bytes on every channel). Amounts are integers in the currency's minor unit;
 * `Intl` knows how many decimals each currency has.
 */
import { z } from "@hono/zod-openapi";

const formatters = new Map<string, { format: Intl.NumberFormat; scale: number }>();

/** One formatter per locale and currency, with the currency's minor-unit scale (reading it is not free). */
function formatter(locale: string, currency: string) {
  const id = `${locale}|${currency}`;
  let f = formatters.get(id);
  if (!f) {
    const format = new Intl.NumberFormat(locale, { style: "currency", currency });
    f = { format, scale: 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2) };
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
  return { amount, currency, formatted: f.format.format(amount / f.scale) };
}

/**
 * The amount as a decimal string in major units (`"89.00"`), for structured data such as JSON-LD `offers.price`.
 *
 * @example
 * decimalAmount({ amount: 8900, currency: "EUR", formatted: "€89.00" }) // "89.00"
 */
export function decimalAmount(value: Money): string {
  const digits = Math.log10(formatter("en", value.currency).scale);
  return (value.amount / 10 ** digits).toFixed(digits);
}
