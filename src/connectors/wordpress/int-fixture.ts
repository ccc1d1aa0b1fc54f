import type { SiteInstance } from '../../harness/wordpress.js';
import type { FilledSiteIds } from '../../generator/fill-site.js';
import { fillSite } from '../../generator/fill-site.js';
import { DEFAULT_SITE, generateSiteContent, resolveTokens, type GeneratedSite, type SiteContentOptions, type TokenKind } from '../../generator/wordpress-content.js';

/**
 * Content for the WordPress connector's integration test: a small site from
 * Ferry's generator (every post status, nested pages, threaded comments in
 * every status, images in blocks, captions and galleries, links in ?p= and
 * permalink form, two menus), plus a file over the target's upload limit,
 * an account on the target that shares an e-mail address with a source
 * user, and an editor (not an administrator) with an Application Password.
 */

export const SMALL_SITE: SiteContentOptions = { ...DEFAULT_SITE, posts: 24, pages: 8, media: 6, comments: 50, categories: 6, tags: 10, users: 5, menus: 2 };

export const TARGET_UPLOAD_LIMIT = 1_000_000;
export const BIG_FILE = { name: 'big-brochure.pdf', size: 1_300_000 };
export const EDITOR = { login: 'editor-ed', email: 'ed@example.net' };

export interface FilledSource {
  content: GeneratedSite;
  ids: FilledSiteIds;
  bigMediaId: number;
  /** A published post with comments whose comments are closed. */
  closedPostId: number;
  /** A draft with a comment. */
  draftPostId: number;
}

export async function fillSource(site: SiteInstance): Promise<FilledSource> {
  const content = generateSiteContent(SMALL_SITE);
  const ids = await fillSite(site, content);
  const form = new FormData();
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n%'), Buffer.alloc(BIG_FILE.size - 17, 'a'), Buffer.from('\n%%EOF\n')]);
  form.append('file', new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }), BIG_FILE.name);
  const response = await fetch(`${site.restUrl}/wp/v2/media`, { method: 'POST', headers: { authorization: basic(site.adminUser, site.appPassword) }, body: form });
  if (!response.ok) throw new Error(`upload of ${BIG_FILE.name}: HTTP ${response.status} ${await response.text()}`);
  const bigMediaId = ((await response.json()) as { id: number }).id;
  // WordPress refuses new comments on a closed post or a draft, even from an administrator: the target must still get these.
  const out = await site.php(`
    $with = get_comments(['type' => 'comment', 'status' => 'approve', 'number' => 1, 'orderby' => 'comment_ID', 'order' => 'DESC', 'post_type' => 'post', 'post_status' => 'publish']);
    $closed = (int) $with[0]->comment_post_ID;
    wp_update_post(['ID' => $closed, 'comment_status' => 'closed']);
    $draft = get_posts(['post_type' => 'post', 'post_status' => 'draft', 'numberposts' => 1, 'orderby' => 'ID', 'order' => 'ASC'])[0]->ID;
    wp_insert_comment(['comment_post_ID' => $draft, 'comment_author' => 'Early Reader', 'comment_author_email' => 'early@example.net', 'comment_content' => 'Seen before it was a draft again.', 'comment_approved' => 1, 'comment_date_gmt' => '2023-01-02 03:04:05', 'comment_date' => '2023-01-02 04:04:05']);
    echo json_encode(['closed' => $closed, 'draft' => (int) $draft]);
  `);
  const special = JSON.parse(out.trim()) as { closed: number; draft: number };
  return { content, ids, bigMediaId, closedPostId: special.closed, draftPostId: special.draft };
}

/** The target's own account with a source user's e-mail address, and an editor with an Application Password. */
export async function prepareTarget(site: SiteInstance, content: GeneratedSite): Promise<{ collision: { sourceLogin: string; targetLogin: string }; editorPassword: string }> {
  const user = content.users[1]!;
  const targetLogin = `${user.login}-here`;
  await site.createUser({ login: targetLogin, email: user.email, role: 'author' });
  const editorId = await site.createUser({ login: EDITOR.login, email: EDITOR.email, role: 'editor' });
  const out = await site.php(`$r = WP_Application_Passwords::create_new_application_password( ${editorId}, [ 'name' => 'ferry-test' ] ); echo is_wp_error( $r ) ? 'ERROR' : $r[0];`);
  return { collision: { sourceLogin: user.login, targetLogin }, editorPassword: out.trim() };
}

export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Generator key ('post-3', 'media-2', 'user-1'...) -> Ferry type and source id. */
export function sourceRefs(ids: FilledSiteIds): Map<string, { type: string; sourceId: string }> {
  const out = new Map<string, { type: string; sourceId: string }>();
  const add = (group: Record<string, number>, type: (key: string) => string) => {
    for (const [key, id] of Object.entries(group)) out.set(key, { type: type(key), sourceId: String(id) });
  };
  add(ids.users, () => 'user');
  add(ids.categories, () => 'category');
  add(ids.tags, () => 'tag');
  add(ids.media, () => 'media');
  add(ids.posts, (key) => (key.startsWith('page-') ? 'page' : 'post'));
  add(ids.comments, () => 'comment');
  add(ids.menus, () => 'menu');
  add(ids.menuItems, () => 'menu-item');
  return out;
}

/** A site's concrete values for the generator's tokens. */
export interface TokenValues {
  site: string;
  id(key: string): string;
  link(key: string): string;
  file(key: string): string;
}

/** A generated text as a site holds it: the tokens replaced by that site's ids and addresses. */
export function expectedText(text: string, values: TokenValues): string {
  return resolveTokens(text, (kind: TokenKind, key: string) => {
    switch (kind) {
      case 'site':
        return values.site;
      case 'id':
        return values.id(key);
      case 'link':
        return values.link(key);
      case 'file':
        return values.file(key);
      default:
        throw new Error(`unknown token ${String(kind)}`);
    }
  });
}
