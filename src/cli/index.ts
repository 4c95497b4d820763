/**
 * `unison` — the command line: serve, migrate, import, export, keys.
 * Exit codes: 0 ok, 1 problems found, 2 usage error.
 */
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { renderers } from "../../renderers";
import { exportContent, importContent } from "../catalogue/content";
import { CHANNELS, type Channel } from "../catalogue/documents";
import { auditCatalogue } from "../consistency/audit";
import { openSqlite } from "../db/sqlite";
import { parseConfig } from "../env";
import { apiKeyInsertSql, createApiKey, listApiKeys, revokeApiKey, SCOPES, type Scope } from "../lib/keys";
import { ContentReadError, readContentDir, writeContentDir } from "./content-files";

const HELP = `unison — the canonical catalogue from the command line

Usage: unison <command> [options]

Commands:
  serve [--port N] [--host H]            start the API, storefront, docs and studio
  migrate                                apply the database migrations
  import <dir> [--draft] [--dry-run]     validate a content directory, then import it (all or nothing)
  export <dir>                           write the catalogue as canonical content files
  check [<dir>] [--format text|json]     audit every channel and locale (a content directory, or the database);
        [--channel C] [--base-url URL]   exits 1 on any parity violation — gate a content repository's CI with it
  feed acp <file> [--locale L]           write the published catalogue as an ACP product feed
        [--format json|csv]              (OpenAI's product feed format; CSV when <file> ends in .csv)
  keys create --name N --scope S [...]   create an API key (printed once)
        [--sql]                          print it as an SQL INSERT instead (for D1: wrangler d1 execute)
  keys list                              list keys (never the keys themselves)
  keys revoke <id>                       revoke a key (effective on the next request)

Options:
  --db <path>      the SQLite database (default ./data/unison.db, or DATABASE_PATH)
  --progress       show import progress on stderr
  -h, --help       this help

Scopes: ${SCOPES.join(", ")}
Exit codes: 0 ok, 1 problems found, 2 usage error.`;

class UsageError extends Error {}

export async function main(
  argv: string[],
  out = (s: string) => process.stdout.write(`${s}\n`),
  err = (s: string) => process.stderr.write(`${s}\n`),
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        db: { type: "string" },
        port: { type: "string" },
        host: { type: "string" },
        draft: { type: "boolean" },
        "dry-run": { type: "boolean" },
        progress: { type: "boolean" },
        name: { type: "string" },
        scope: { type: "string", multiple: true },
        sql: { type: "boolean" },
        format: { type: "string" },
        channel: { type: "string" },
        "base-url": { type: "string" },
        locale: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  }
  try {
    parsed = parse();
  } catch (error) {
    err(`unison: ${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    (command || values.help ? out : err)(HELP);
    return command || values.help ? 0 : 2;
  }
  const dbPath = resolve(values.db ?? process.env.DATABASE_PATH ?? "data/unison.db");
  try {
    switch (command) {
      case "serve": {
        const { serve } = await import("../node");
        const port = values.port === undefined ? undefined : Number(values.port);
        if (port !== undefined && !Number.isInteger(port)) throw new UsageError("--port takes a number");
        await serve({ dbPath, ...(port !== undefined ? { port } : {}), ...(values.host ? { host: values.host } : {}) });
        return await new Promise<number>(() => {});
      }
      case "migrate": {
        const db = openSqlite(dbPath);
        const applied = db.client.prepare("SELECT COUNT(*) AS n FROM __drizzle_migrations").get() as { n: number };
        out(`${dbPath}: ${applied.n} migration(s) applied; up to date.`);
        db.close();
        return 0;
      }
      case "import": {
        const dir = rest[0];
        if (!dir) throw new UsageError("import needs a directory");
        let bundle: Awaited<ReturnType<typeof readContentDir>>;
        try {
          bundle = await readContentDir(resolve(dir));
        } catch (error) {
          if (error instanceof ContentReadError) {
            for (const p of error.problems) err(`${p.file}: ${p.message}`);
            return 1;
          }
          throw error;
        }
        const db = openSqlite(dbPath);
        const report = await importContent(
          db,
          bundle,
          { keyId: null, now: new Date() },
          {
            publish: !values.draft,
            dryRun: values["dry-run"] ?? false,
            ...(values.progress || process.stderr.isTTY
              ? { onProgress: (done: number, total: number) => err(`imported ${done}/${total}`) }
              : {}),
          },
        );
        db.close();
        if (report.problems.length) {
          for (const p of report.problems) err(`${p.file}:${p.pointer || "/"}: ${p.message}`);
          err(`${report.problems.length} problem(s); nothing was imported.`);
          return 1;
        }
        for (const type of ["locales", "products", "messages", "actions"] as const) {
          const c = report[type];
          out(`${type.padEnd(9)} created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}`);
        }
        if (values["dry-run"]) out("(dry run: nothing was written)");
        return 0;
      }
      case "check": {
        const format = values.format ?? "text";
        if (format !== "text" && format !== "json") throw new UsageError("--format takes text or json");
        const channel = values.channel;
        if (channel !== undefined && !(CHANNELS as readonly string[]).includes(channel)) {
          throw new UsageError(`--channel takes one of ${CHANNELS.join(", ")}`);
        }
        const baseUrl = values["base-url"] ?? parseConfig(process.env).PUBLIC_BASE_URL;
        let db: ReturnType<typeof openSqlite>;
        if (rest[0]) {
          // A content directory: import it into a throwaway database, exactly as `import` would.
          let bundle: Awaited<ReturnType<typeof readContentDir>>;
          try {
            bundle = await readContentDir(resolve(rest[0]));
          } catch (error) {
            if (error instanceof ContentReadError) {
              for (const p of error.problems) err(`${p.file}: ${p.message}`);
              return 1;
            }
            throw error;
          }
          db = openSqlite(":memory:");
          const report = await importContent(db, bundle, { keyId: null, now: new Date() });
          if (report.problems.length) {
            for (const p of report.problems) err(`${p.file}:${p.pointer || "/"}: ${p.message}`);
            db.close();
            return 1;
          }
        } else {
          db = openSqlite(dbPath);
        }
        const report = await auditCatalogue(db, {
          registry: renderers,
          baseUrl,
          now: new Date(),
          channels: channel ? [channel as Channel] : undefined,
        });
        db.close();
        if (format === "json") out(JSON.stringify(report, null, 2));
        else {
          for (const { violations } of report.entities) {
            for (const v of violations) {
              const where = [v.channel, v.format].filter(Boolean).join("/") || "-";
              out(`${v.entity.type}/${v.entity.key}  ${where}  ${v.locale ?? "-"}  ${v.rule}: ${v.detail}`);
            }
          }
          const s = report.summary;
          out(
            `${s.entities} entities, ${s.renders} renders checked: ${s.violations} violation(s) in ${s.entitiesWithViolations} entities.`,
          );
        }
        return report.summary.violations ? 1 : 0;
      }
      case "export": {
        const dir = rest[0];
        if (!dir) throw new UsageError("export needs a directory");
        const db = openSqlite(dbPath);
        const files = await exportContent(db);
        db.close();
        await writeContentDir(resolve(dir), files);
        out(`wrote ${files.length} file(s) to ${resolve(dir)}`);
        return 0;
      }
      case "feed": {
        const [kind, file] = rest;
        if (kind !== "acp" || !file) throw new UsageError("feed takes a kind and a file: unison feed acp <file>");
        const format = values.format ?? (file.endsWith(".csv") ? "csv" : "json");
        if (format !== "json" && format !== "csv") throw new UsageError("--format takes json or csv");
        // Loaded here, not at start-up: every other command starts as fast as before.
        const { auditFeed, feedCsv, feedItems, publishedViews } = await import("../acp/feed");
        const { fallbackChain, loadLocales, negotiateLocale } = await import("../catalogue/locales");
        const db = openSqlite(dbPath);
        try {
          const locales = await loadLocales(db);
          const locale = negotiateLocale(locales, values.locale, undefined);
          const baseUrl = values["base-url"] ?? parseConfig(process.env).PUBLIC_BASE_URL;
          const views = await publishedViews(db, { locales, locale, chain: fallbackChain(locales, locale), baseUrl });
          const items = views.flatMap((v) => feedItems(v, { sellerName: parseConfig(process.env).SMS_BRAND, baseUrl }));
          const violations = auditFeed(items, views);
          for (const v of violations) err(`${v.itemId} ${v.field}: ${v.detail}`);
          await writeFile(resolve(file), format === "csv" ? feedCsv(items) : `${JSON.stringify(items, null, 2)}\n`);
          out(`wrote ${items.length} item(s) in ${locale} to ${resolve(file)}`);
          return violations.length ? 1 : 0;
        } finally {
          db.close();
        }
      }
      case "keys": {
        const [sub, id] = rest;
        const db = openSqlite(dbPath);
        try {
          if (sub === "create") {
            const scopes = values.scope ?? [];
            if (!values.name || !scopes.length) throw new UsageError("keys create needs --name and at least one --scope");
            const bad = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
            if (bad.length) throw new UsageError(`unknown scope(s): ${bad.join(", ")}`);
            if (values.sql) {
              const { sql, secret, id: keyId } = await apiKeyInsertSql({ name: values.name, scopes: scopes as Scope[] }, new Date());
              out(`${sql}\n-- key ${keyId}: ${secret}\n-- (store it now: it is not shown again; only its hash is in the SQL)`);
              return 0;
            }
            const { key, secret } = await createApiKey(db, { name: values.name, scopes: scopes as Scope[] }, new Date());
            out(`${key.id}  ${key.scopes.join(",")}\n${secret}\n(store it now: it is not shown again)`);
            return 0;
          }
          if (sub === "list") {
            for (const k of await listApiKeys(db))
              out(`${k.id}  ${k.start}…  ${k.name}  [${k.scopes.join(",")}]${k.revokedAt ? `  revoked ${k.revokedAt}` : ""}`);
            return 0;
          }
          if (sub === "revoke") {
            if (!id) throw new UsageError("keys revoke needs a key id");
            const key = await revokeApiKey(db, id, new Date());
            if (!key) {
              err(`no key ${id}`);
              return 1;
            }
            out(`revoked ${key.id} at ${key.revokedAt}`);
            return 0;
          }
          throw new UsageError("keys takes create, list or revoke");
        } finally {
          db.close();
        }
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      err(`unison: ${error.message}\n\nRun "unison --help" for usage.`);
      return 2;
    }
    throw error;
  }
}

const invokedDirectly = process.argv[1]?.endsWith("cli/index.ts") || process.argv[1]?.endsWith("bin/unison.mjs");
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`unison: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
