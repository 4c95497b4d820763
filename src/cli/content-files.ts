/** Reads and writes content directories (Node only: the CLI and `src/node.ts`). */
import { readFileSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ContentBundle, ContentSource, RawFile } from "../catalogue/content";

/** A JSON syntax error as a problem with line and column, instead of a thrown exception. */
export class ContentReadError extends Error {
  constructor(readonly problems: { file: string; pointer: string; message: string }[]) {
    super(problems.map((p) => `${p.file}: ${p.message}`).join("\n"));
  }
}

function lineColumn(text: string, message: string): string {
  const match = /position (\d+)/.exec(message);
  if (!match) return message;
  const position = Number(match[1]);
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - before.lastIndexOf("\n");
  return `invalid JSON at line ${line}, column ${column}: ${message}`;
}

/** A content file parsed; a syntax error makes it `unreadable` (with line and column) instead of throwing. */
function parseRaw(path: string, text: string): RawFile {
  try {
    return { path, data: JSON.parse(text) as unknown };
  } catch (error) {
    return { path, data: undefined, unreadable: lineColumn(text, (error as Error).message) };
  }
}

async function readJson(dir: string, path: string, problems: ContentReadError["problems"]): Promise<RawFile | null> {
  const file = parseRaw(path, await readFile(join(dir, path), "utf8"));
  if (file.unreadable === undefined) return file;
  problems.push({ file: path, pointer: "", message: file.unreadable });
  return null;
}

async function listJson(dir: string, sub: string): Promise<string[]> {
  try {
    return (await readdir(join(dir, sub)))
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => `${sub}/${f}`);
  } catch {
    return [];
  }
}

/** Whether a folder holds any content file: `locales.json`, `delivery.json`, or JSON under products/, messages/ or actions/. */
export async function holdsContent(dir: string): Promise<boolean> {
  const names = await readdir(dir).catch(() => [] as string[]);
  if (names.includes("locales.json") || names.includes("delivery.json")) return true;
  for (const sub of ["products", "messages", "actions"]) {
    if (names.includes(sub) && (await listJson(dir, sub)).length) return true;
  }
  return false;
}

/** Reads the files of a content directory other than products: a small, bounded set. */
async function readHead(dir: string, problems: ContentReadError["problems"]): Promise<Omit<ContentBundle, "products">> {
  let locales: RawFile | null = null;
  try {
    locales = await readJson(dir, "locales.json", problems);
  } catch {
    locales = null;
  }
  const read = async (sub: string) => {
    const out: RawFile[] = [];
    for (const path of await listJson(dir, sub)) {
      const file = await readJson(dir, path, problems);
      if (file) out.push(file);
    }
    return out;
  };
  let delivery: RawFile | null = null;
  if ((await readdir(dir).catch(() => [] as string[])).includes("delivery.json")) delivery = await readJson(dir, "delivery.json", problems);
  return { locales, delivery, messages: await read("messages"), actions: await read("actions") };
}

/**
 * Reads `locales.json`, `delivery.json`, `products/*.json`, `messages/*.json`, `actions/*.json`.
 * Throws {@link ContentReadError} listing every file that is not valid JSON.
 */
export async function readContentDir(dir: string): Promise<ContentBundle> {
  const problems: ContentReadError["problems"] = [];
  const head = await readHead(dir, problems);
  const products: RawFile[] = [];
  for (const path of await listJson(dir, "products")) {
    const file = await readJson(dir, path, problems);
    if (file) products.push(file);
  }
  if (problems.length) throw new ContentReadError(problems);
  return { ...head, products };
}

/**
 * A content directory for `importContent`: the files other than products read now (throws
 * {@link ContentReadError} as {@link readContentDir} does), the product files listed and read one at a time
 * on each pass, so a catalogue of any size is imported in bounded memory. A product file that is not valid
 * JSON is reported by the import as a problem of its own, and listed in `unreadable` (read after the import).
 */
export async function openContentDir(dir: string): Promise<ContentSource & { unreadable: ContentReadError["problems"] }> {
  const problems: ContentReadError["problems"] = [];
  const head = await readHead(dir, problems);
  if (problems.length) throw new ContentReadError(problems);
  const paths = await listJson(dir, "products");
  const unreadable: ContentReadError["problems"] = [];
  const seen = new Set<string>();
  return {
    ...head,
    unreadable,
    products: {
      count: paths.length,
      async *read() {
        for (const path of paths) {
          // Read synchronously: one small file after another, without four thread-pool round trips each.
          const file = parseRaw(path, readFileSync(join(dir, path), "utf8"));
          if (file.unreadable !== undefined && !seen.has(path)) {
            seen.add(path);
            unreadable.push({ file: path, pointer: "", message: file.unreadable });
          }
          yield file;
        }
      },
    },
  };
}

/** Writes one content file under `dir` (its folder made when missing); leaves other files alone. */
export async function writeContentFile(dir: string, file: { path: string; text: string }): Promise<void> {
  const target = join(dir, file.path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, file.text);
}
