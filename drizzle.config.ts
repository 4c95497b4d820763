import { defineConfig } from "drizzle-kit";

/** One migration history for both runtimes: drizzle's migrator (Node) and `wrangler d1 migrations apply` (D1) read `migrations/`. */
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
