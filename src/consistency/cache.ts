/**
 * Rendered output, cached per view: the key is the channel, the format and a
 * hash of the whole view (entity, revision, locale, stock-derived
 * availability, action labels, overrides — everything a render depends on),
 * so a publish, a stock change or a catalogue edit produces a new view and
 * thereby a new key. Nothing has to be invalidated by hand, and an old entry
 * simply ages out of the LRU. One cache per process (per isolate on Workers).
 */
import type { EntityView, Rendered, Renderer } from "../channels/contract";
import { strongEtag } from "../lib/etag";
import { Lru } from "../lib/lru";
import { type ChannelCheck, type CheckContext, checkChannel, type Violation } from "./engine";

export interface RenderCache {
  bodies: Lru<Rendered & { etag: string }>;
  checks: Lru<ChannelCheck>;
}

/**
 * @example
 * const cache = createRenderCache(); // share it for the life of the process
 */
export function createRenderCache(size = 4096): RenderCache {
  // Bodies are bounded in bytes too: 4,096 web pages of 10–60 kB each would otherwise hold 40–240 MB.
  return {
    bodies: new Lru(size, { maxWeight: RENDER_CACHE_BYTES, weigh: (r) => r.body.length * 2 + r.etag.length * 2 }),
    checks: new Lru(size),
  };
}

/** What the cached render bodies may weigh together (UTF-16 text). */
const RENDER_CACHE_BYTES = 8 * 1024 * 1024;

/** The identity of a view: equal views render to equal bytes (renderers are deterministic). */
export function viewKey(view: EntityView): string {
  return strongEtag(JSON.stringify(view)).slice(1, -1);
}

/**
 * Renders a view in one format, from the cache when the same view was rendered before.
 * The ETag is strong: it names the exact bytes, because the same view always gives them.
 */
export function renderCached(
  renderer: Renderer,
  view: EntityView,
  options: { baseUrl: string; format?: string | undefined },
  cache?: RenderCache,
): Rendered & { etag: string } {
  const format = options.format ?? renderer.formats[0];
  const key = `${renderer.channel}|${format}|${options.baseUrl}|${viewKey(view)}`;
  const hit = cache?.bodies.get(key);
  if (hit) return hit;
  const rendered = renderer.render(view, { baseUrl: options.baseUrl, format });
  const out = { ...rendered, etag: strongEtag(rendered.body) };
  cache?.bodies.set(key, out);
  return out;
}

/** `checkChannel` with its result cached per view and check context (`stamp` names the live pages and catalogue). */
export function renderChecked(
  renderer: Renderer,
  view: EntityView,
  entity: Violation["entity"],
  ctx: CheckContext & { stamp?: string },
  cache?: RenderCache,
): ChannelCheck {
  if (!cache || ctx.stamp === undefined) return checkChannel(renderer, view, entity, ctx);
  const key = `${renderer.channel}|${ctx.baseUrl}|${ctx.stamp}|${entity.type}:${entity.key}|${viewKey(view)}`;
  const hit = cache.checks.get(key);
  if (hit) return hit;
  const result = checkChannel(renderer, view, entity, ctx);
  cache.checks.set(key, result);
  return result;
}
