import { saveLocale } from "../../src/catalogue/locales";
import { openSqlite, type SqliteDatabase } from "../../src/node/sqlite";

/** A fresh in-memory database with the real migrations and the two demo locales. */
export async function freshDb(now = new Date("2026-11-24T12:00:00Z")): Promise<SqliteDatabase> {
  const db = openSqlite(":memory:");
  await saveLocale(db, { code: "en", name: "English", fallback: null, default: true, currency: "EUR" }, null, now);
  await saveLocale(db, { code: "fr", name: "Français", fallback: "en", default: false, currency: "EUR" }, null, now);
  return db;
}

/** A valid product document; override any field. */
export function productDoc(slug: string, overrides: Record<string, unknown> = {}) {
  return {
    slug,
    title: { en: `Title ${slug}`, fr: `Titre ${slug}` },
    summary: { en: "A warm sweater.", fr: "Un pull chaud." },
    description: { en: "Knitted from merino.", fr: "Tricoté en mérinos." },
    categories: ["knitwear"],
    media: [{ url: `https://img.example/${slug}.jpg`, alt: { en: "A sweater", fr: "Un pull" } }],
    attributes: [],
    variants: [{ sku: `${slug.toUpperCase()}-M`, options: { size: "M" }, prices: { EUR: 8900 } }],
    ...overrides,
  };
}

/** Records the SQL better-sqlite3 compiles from now on (every `prepare`), until `restore`. */
export function compiledSql(db: SqliteDatabase) {
  const compiled: string[] = [];
  const prepare = db.client.prepare;
  db.client.prepare = function (this: typeof db.client, source: string) {
    compiled.push(source);
    return prepare.call(this, source);
  } as typeof prepare;
  return {
    compiled,
    restore: () => {
      db.client.prepare = prepare;
    },
  };
}
