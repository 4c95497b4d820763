/** Crypto helpers (runtime-neutral: Node 20 and Workers). */
import { sha256 } from "../lib/digest";

/** Base64 of the SHA-256 of a text: the form CSP hash sources take (`'sha256-…'`). */
export async function sha256Base64(text: string): Promise<string> {
  const digest = await sha256(text);
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}
