/** Web Crypto helpers (runtime-neutral: Node 20 and Workers). */

/** Base64 of the SHA-256 of a text: the form CSP hash sources take (`'sha256-…'`). */
export async function sha256Base64(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}
