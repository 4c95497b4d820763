/**
 * `unison` — the command line: serve, migrate, import, export, keys.
 * Exit codes: 0 ok, 1 problems found, 2 usage error.
 */
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { setFlagsFromString } from "node:v8";
import { Presets, SingleBar } from "cli-progress";
import { renderers } from "../../renderers";
import { type ContentProblem, contentFiles, type ImportReport, importContent } from "../catalogue/content";
import { CHANNELS, type Channel } from "../catalogue/documents";
import { maintainAnswers } from "../catalogue/products";
import { pageBuilder } from "../channels/pages";
import { type AuditReport, auditCatalogue } from "../consistency/audit";
import { parseConfig, withoutTrailingSlash } from "../env";
import { apiKeyInsertSql, createApiKey, listApiKeys, revokeApiKey, SCOPES, type Scope } from "../lib/keys";
import { openSqlite, type SqliteDatabase } from "../node/sqlite";
import { ContentReadError, holdsContent, openContentDir, readContentDir, writeContentFile } from "./content-files";

const HELP = `unison — the canonical catalogue from the command line

Usage: unison <command> [options]

Commands:
  serve [--port N] [--host H]            start the API, storefront, docs and studio
  migrate                                apply the database migrations, then build the stored answers
                                         of every product due for them
  import <dir> [--draft] [--dry-run]     validate a content directory, then import it (all or nothing)
  export <dir> [--force] [--published]   write the catalogue as canonical content files into an empty
                                         folder (--force writes into a folder that has files;
                                         --published: only published entities, as published)
  bundle <dir>                           print a content directory as one JSON bundle, for
                                         POST /v1/admin/import (e.g. into a Worker)
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
  --progress       show import / check progress on stderr (a bar on a terminal, plain lines otherwise;
                   a terminal always shows the bar)
  -h, --help       this help

Scopes: ${SCOPES.join(", ")}
Exit codes: 0 ok, 1 problems found, 2 usage error.`;

class UsageError extends Error {}

const CONTENT_LAYOUT = "a content directory: locales.json, delivery.json, products/*.json, messages/*.json, actions/*.json";

/** Refuses, as a usage error, a path that is not a content directory: missing, a file, or empty of content. */
async function contentDir(path: string, command: string): Promise<string> {
  const dir = resolve(path);
  const info = await stat(dir).catch(() => null);
  if (!info) throw new UsageError(`${command}: the folder ${dir} does not exist; expected ${CONTENT_LAYOUT}`);
  if (!info.isDirectory()) throw new UsageError(`${command}: ${dir} is a file, not a folder; expected ${CONTENT_LAYOUT}`);
  if (!(await holdsContent(dir))) throw new UsageError(`${command}: ${dir} holds no content; expected ${CONTENT_LAYOUT}`);
  return dir;
}

/** Prints JSON syntax problems (file, line and column). */
function printUnreadable(problems: readonly ContentProblem[], command: string, err: (s: string) => void) {
  for (const p of problems) err(`${p.file}: ${p.message}`);
  if (command === "import") err(`${problems.length} problem(s); nothing was imported.`);
}

/**
 * A content directory read by `read` (`readContentDir` whole, or `openContentDir`, whose product files are read
 * one at a time in bounded memory); null after printing each JSON syntax problem.
 */
async function readContent<T>(
  read: (dir: string) => Promise<T>,
  path: string,
  command: string,
  err: (s: string) => void,
): Promise<T | null> {
  try {
    return await read(await contentDir(path, command));
  } catch (error) {
    if (!(error instanceof ContentReadError)) throw error;
    printUnreadable(error.problems, command, err);
    return null;
  }
}

/**
 * Imports a content directory as one transaction on the Node driver: committed only when the import found
 * no problem (and is not a dry run), rolled back otherwise or on any error — all or nothing, also when a
 * write fails half-way or a file changes between the validating and the writing pass. A server on the same
 * file keeps reading meanwhile (WAL); its writes wait for the commit (busy_timeout). The import's own
 * atomic writes become savepoints inside it. Prints the problems; null when there were any.
 */
async function importDir(
  db: SqliteDatabase,
  source: Awaited<ReturnType<typeof openContentDir>>,
  command: string,
  options: { publish: boolean; dryRun: boolean; onProgress?: (done: number, total: number, pass: string) => void },
  err: (s: string) => void,
): Promise<ImportReport | null> {
  db.client.exec("BEGIN IMMEDIATE");
  let report: ImportReport;
  try {
    report = await importContent(db, source, { keyId: null, now: new Date() }, { ...options, pages: pageBuilder(renderers.web.site) });
  } catch (error) {
    if (db.client.inTransaction) db.client.exec("ROLLBACK");
    throw error;
  }
  db.client.exec(report.problems.length || options.dryRun ? "ROLLBACK" : "COMMIT");
  if (!report.problems.length) return report;
  // A product file that is not JSON is reported as the other files' syntax problems are, alone.
  if (source.unreadable.length) printUnreadable(source.unreadable, command, err);
  else {
    for (const p of report.problems) err(`${p.file}:${p.pointer || "/"}: ${p.message}`);
    if (command === "import") err(`${report.problems.length} problem(s); nothing was imported.`);
  }
  return null;
}

/**
 * Progress on stderr: a bar on a terminal; plain lines when asked for (`--progress`) and stderr is not a
 * terminal (a CI log); nothing otherwise.
 */
function progressReporter(asked: boolean, err: (s: string) => void) {
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      { format: "{verb} [{bar}] {value}/{total}", stream: process.stderr, clearOnComplete: true, hideCursor: true },
      Presets.shades_classic,
    );
    let shown: string | null = null;
    return {
      update(done: number, total: number, verb: string) {
        // A new pass (validated, then imported) starts a new bar.
        if (shown !== verb) {
          if (shown !== null) bar.stop();
          bar.start(total, done, { verb });
          shown = verb;
        }
        bar.setTotal(total);
        bar.update(done);
      },
      stop: () => shown !== null && bar.stop(),
    };
  }
  return { update: asked ? (done: number, total: number, verb: string) => err(`${verb} ${done}/${total}`) : undefined, stop() {} };
}

/**
 * Batch commands (import, check) allocate much short-lived garbage (a parsed file, its statements, its
 * renders) and keep little. V8's defaults grow the heap with the garbage rate — at 100,000 products a
 * 376 MB peak where 120 MB is live — so these commands keep the young generation at its initial size and
 * grow the old one by 10% per collection (the server's `npm start` flags, set here because the CLI runs
 * in-process from bin/unison.mjs). Measured by `npm run bench:batch`.
 */
function boundHeap() {
  setFlagsFromString("--semi-space-growth-factor=1");
  setFlagsFromString("--heap-growing-percent=10");
}

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
        force: { type: "boolean" },
        published: { type: "boolean" },
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
        try {
          // Products due for their stored answers (a database migrated to 0015, a locale edit, answers an older
          // release stored in another format): all of them now.
          const built = await maintainAnswers(db, pageBuilder(renderers.web.site), { all: true });
          if (built) out(`${built} product(s) given stored answers.`);
        } finally {
          db.close();
        }
        return 0;
      }
      case "import": {
        boundHeap();
        const dir = rest[0];
        if (!dir) throw new UsageError(`import needs a directory: ${CONTENT_LAYOUT}`);
        const source = await readContent(openContentDir, dir, "import", err);
        if (!source) return 1;
        const db = openSqlite(dbPath);
        const progress = progressReporter(values.progress ?? false, err);
        let report: ImportReport | null;
        try {
          report = await importDir(
            db,
            source,
            "import",
            {
              publish: !values.draft,
              dryRun: values["dry-run"] ?? false,
              ...(progress.update ? { onProgress: progress.update } : {}),
            },
            err,
          );
        } finally {
          progress.stop();
          db.close();
        }
        if (!report) return 1;
        for (const type of ["locales", "products", "messages", "actions"] as const) {
          const c = report[type];
          out(`${type.padEnd(9)} created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}`);
        }
        if (source.delivery) {
          const d = report.delivery;
          out(`delivery  created ${d.created}, updated ${d.updated}, unchanged ${d.unchanged}, removed ${d.removed}`);
        }
        if (values["dry-run"]) out("(dry run: nothing was written)");
        return 0;
      }
      case "bundle": {
        const dir = rest[0];
        if (!dir) throw new UsageError(`bundle needs a directory: ${CONTENT_LAYOUT}`);
        const bundle = await readContent(readContentDir, dir, "bundle", err);
        if (!bundle) return 1;
        const data = (files: { data: unknown }[]) => files.map((f) => f.data);
        out(
          JSON.stringify({
            locales: bundle.locales?.data ?? [],
            ...(bundle.delivery ? { delivery: bundle.delivery.data } : {}),
            products: data(bundle.products),
            messages: data(bundle.messages),
            actions: data(bundle.actions),
          }),
        );
        return 0;
      }
      case "check": {
        boundHeap();
        const format = values.format ?? "text";
        if (format !== "text" && format !== "json") throw new UsageError("--format takes text or json");
        const channel = values.channel;
        if (channel !== undefined && !(CHANNELS as readonly string[]).includes(channel)) {
          throw new UsageError(`--channel takes one of ${CHANNELS.join(", ")}`);
        }
        const baseUrl = withoutTrailingSlash(values["base-url"] ?? parseConfig(process.env).PUBLIC_BASE_URL);
        const progress = progressReporter(values.progress ?? false, err);
        let scratch: string | null = null;
        let db: SqliteDatabase | null = null;
        let report: AuditReport;
        try {
          if (rest[0]) {
            // A content directory: import it into a throwaway database, exactly as `import` would. A file in a
            // temporary folder, not `:memory:`: a 100,000-product catalogue's database would not fit the memory
            // budget, while SQLite's page cache keeps what the audit touches.
            const source = await readContent(openContentDir, rest[0], "check", err);
            if (!source) return 1;
            scratch = await mkdtemp(join(tmpdir(), "unison-check-"));
            db = openSqlite(join(scratch, "check.db"));
            const imported = await importDir(
              db,
              source,
              "check",
              { publish: true, dryRun: false, ...(progress.update ? { onProgress: progress.update } : {}) },
              err,
            );
            if (!imported) return 1;
          } else db = openSqlite(dbPath);
          const open = db;
          const total = (open.client.prepare("SELECT COUNT(*) AS n FROM published_products").get() as { n: number }).n;
          const update = progress.update;
          report = await auditCatalogue(
            open,
            { registry: renderers, baseUrl, now: new Date(), channels: channel ? [channel as Channel] : undefined },
            update ? { onProgress: (done) => update(done, Math.max(done, total), "checked products") } : {},
          );
        } finally {
          progress.stop();
          db?.close();
          if (scratch) await rm(scratch, { recursive: true, force: true });
        }
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
        const target = await stat(resolve(dir)).catch(() => null);
        if (target && !target.isDirectory()) throw new UsageError(`export: ${resolve(dir)} is a file, not a folder`);
        if (target && !values.force && (await readdir(resolve(dir))).length) {
          throw new UsageError(
            `export: ${resolve(dir)} is not empty; export into an empty folder, or pass --force to overwrite its content files`,
          );
        }
        // Written as read, a page of entries at a time: memory stays flat however large the catalogue.
        const db = openSqlite(dbPath);
        let written = 0;
        try {
          for await (const file of contentFiles(db, { published: values.published ?? false })) {
            await writeContentFile(resolve(dir), file);
            written++;
          }
        } finally {
          db.close();
        }
        out(`wrote ${written} file(s) to ${resolve(dir)}`);
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
          const config = parseConfig(process.env);
          const baseUrl = withoutTrailingSlash(values["base-url"] ?? config.PUBLIC_BASE_URL);
          const views = await publishedViews(db, { locales, locale, chain: fallbackChain(locales, locale), baseUrl });
          const items = views.flatMap((v) =>
            feedItems(v, { sellerName: config.SMS_BRAND, baseUrl, checkout: config.PAYMENTS_MODE !== "off" }),
          );
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
