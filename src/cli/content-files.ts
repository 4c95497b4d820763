/** Reads and writes content directories (Node only: the CLI and `src/node.ts`). */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { ContentBundle, RawFile } from "../catalogue/content";

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

async function readJson(dir: string, path: string, problems: ContentReadError["problems"]): Promise<RawFile | null> {
  const text = await readFile(join(dir, path), "utf8");
  try {
    return { path, data: JSON.parse(text) as unknown };
  } catch (error) {
    problems.push({ file: path, pointer: "", message: lineColumn(text, (error as Error).message) });
    return null;
  }
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

/**
 * Reads `locales.json`, `delivery.json`, `products/*.json`, `messages/*.json`, `actions/*.json`.
 * Throws {@link ContentReadError} listing every file that is not valid JSON.
 */
export async function readContentDir(dir: string): Promise<ContentBundle> {
  const problems: ContentReadError["problems"] = [];
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
  const bundle = { locales, delivery, products: await read("products"), messages: await read("messages"), actions: await read("actions") };
  if (problems.length) throw new ContentReadError(problems);
  return bundle;
}

/** Writes files (creating folders); leaves other files alone. */
export async function writeContentDir(dir: string, files: { path: string; text: string }[]): Promise<void> {
  for (const file of files) {
    const target = join(dir, file.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.text);
  }
}
