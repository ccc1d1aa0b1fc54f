import { refToken } from '../../sdk/connector.js';
import type { WpApi } from './api-client.js';
import { SourceLinks } from './link-source.js';
import { rewriteText, urlsIn, type LinkRef } from './links.js';
import { PostKeys } from './post-keys.js';

/**
 * Texts as verify compares them: every link into the site and every
 * attachment id written as a reference token, so that the source's
 * `<a href="http://old/?p=12">` and the target's `<a href="http://new/?p=41">`
 * both read `<a href="⟦post:12⟧">` / `⟦post:41⟧` and are equal once the
 * engine maps 12 to 41. The same link parsing as the write path finds the
 * objects, read afresh (a new cache per inspect call).
 */

/** The site's own address in an inspected text (a link that names no object: an archive, a feed). */
export const SITE_PLACEHOLDER = '{site}';

/** Distinct URLs of a chunk looked up at once by `prime`. */
const PRIME_PARALLEL = 4;

export class InspectLinks {
  private readonly links: SourceLinks;
  /** What `prime` found, by raw URL, and every URL it looked at (found or not). */
  private readonly primed = new Map<string, LinkRef>();
  private readonly primedRaws = new Set<string>();

  constructor(api: WpApi) {
    this.links = new SourceLinks(api, new PostKeys(api));
  }

  /**
   * Looks up the links of all these texts (a whole chunk's objects) in one
   * go, distinct URLs side by side: `tokenise` then needs no request for
   * them, instead of each object's links one after the other.
   */
  async prime(texts: readonly string[], signal: AbortSignal): Promise<void> {
    const { links } = await this.links.extract(texts, signal, PRIME_PARALLEL);
    for (const link of links) this.primed.set(link.raw, link);
    for (const text of texts) for (const raw of urlsIn(text)) this.primedRaws.add(raw);
  }

  /** The texts of one object with their links and attachment ids as tokens (same order). */
  async tokenise(texts: readonly string[], signal: AbortSignal): Promise<string[]> {
    const raws = texts.flatMap((text) => urlsIn(text));
    const byRaw = raws.every((raw) => this.primedRaws.has(raw)) ? this.primed : new Map((await this.links.extract(texts, signal)).links.map((link) => [link.raw, link]));
    return texts.map((text) =>
      rewriteText(
        text,
        (raw) => {
          const link = byRaw.get(raw);
          return link ? tokenOf(link) : undefined;
        },
        (id) => refToken('media', id),
      ),
    );
  }

  async tokeniseOne(text: string, signal: AbortSignal): Promise<string> {
    return (await this.tokenise([text], signal))[0] ?? '';
  }
}

/** One link as a token: what it names, and the part of its form that the copy keeps. */
function tokenOf(link: LinkRef): string {
  const ref = link.ref ? refToken(link.ref.type, link.ref.sourceId) : undefined;
  switch (link.form) {
    case 'query':
      return `?${link.param ?? 'p'}=${ref ?? '?'}${link.suffix}`;
    case 'permalink':
      return `${ref ?? '?'}${link.suffix}`;
    case 'file':
      return `${ref ?? '?'}[${link.size ?? 'full'}]${link.suffix}`;
    case 'rebase':
      return `${SITE_PLACEHOLDER}${link.path ?? '/'}`;
    default: {
      const never: never = link.form;
      throw new Error(`unknown link form ${String(never)}`);
    }
  }
}
