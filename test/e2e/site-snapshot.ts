import { createHash } from 'node:crypto';

/**
 * Reads a whole WordPress site through its REST API (as the admin, context
 * edit) into a form two sites can be compared in: every object under a
 * natural key, every reference as the referenced object's key, every URL of
 * the site itself replaced by `{site}`, and every embedded id by the key of
 * the object it names. Written independently of the connector on purpose.
 */
type Json = Record<string, any>;

export interface SiteSnapshot {
  users: Map<string, Json>;
  categories: Map<string, Json>;
  tags: Map<string, Json>;
  media: Map<string, Json>;
  posts: Map<string, Json>;
  comments: Map<string, Json>;
  menus: Map<string, Json>;
  menuItems: Map<string, Json>;
  settings: Json;
  /** Raw texts of every post, page and comment, for the "no link to the source" check. */
  texts: string[];
}

export interface SiteAccess {
  url: string;
  user: string;
  password: string;
}

async function get(site: SiteAccess, path: string, params: Record<string, string> = {}): Promise<{ body: any; pages: number }> {
  const url = `${site.url}/wp-json${path}?${new URLSearchParams(params)}`;
  const response = await fetch(url, { headers: { authorization: `Basic ${Buffer.from(`${site.user}:${site.password}`).toString('base64')}` } });
  if (!response.ok) throw new Error(`${response.status} ${await response.text()} from ${url}`);
  return { body: await response.json(), pages: Number(response.headers.get('x-wp-totalpages') ?? '1') };
}

async function all(site: SiteAccess, path: string, params: Record<string, string> = {}): Promise<Json[]> {
  const out: Json[] = [];
  for (let page = 1; ; page++) {
    const { body, pages } = await get(site, path, { per_page: '100', page: String(page), context: 'edit', ...params });
    out.push(...(body as Json[]));
    if (page >= pages) return out;
  }
}

/** A post's natural key: type and slug, or title for drafts that have no slug yet. */
function postKey(p: Json): string {
  return `${p.type}:${p.slug || `title:${p.title.raw}`}`;
}

export async function snapshotSite(site: SiteAccess): Promise<SiteSnapshot> {
  const users = await all(site, '/wp/v2/users');
  const categories = await all(site, '/wp/v2/categories', { hide_empty: 'false' });
  const tags = await all(site, '/wp/v2/tags', { hide_empty: 'false' });
  const media = await all(site, '/wp/v2/media');
  const posts = [...(await all(site, '/wp/v2/posts', { status: 'any' })), ...(await all(site, '/wp/v2/pages', { status: 'any' }))];
  const comments: Json[] = [];
  for (const status of ['approve', 'hold', 'spam', 'trash']) comments.push(...(await all(site, '/wp/v2/comments', { status, type: 'comment' })));
  const menus = await all(site, '/wp/v2/menus');
  const menuItems = await all(site, '/wp/v2/menu-items', { menus: menus.map((m) => m.id).join(',') || '0' });
  const settings = (await get(site, '/wp/v2/settings')).body as Json;

  const userKey = new Map(users.map((u) => [u.id, u.username as string]));
  const termKey = new Map([...categories, ...tags].map((t) => [t.id, `${t.taxonomy}:${t.slug}`]));
  const mediaKey = new Map(media.map((m) => [m.id, `media:${m.slug}`]));
  const postKeys = new Map(posts.map((p) => [p.id, postKey(p)]));
  const anyKey = (id: number) => postKeys.get(id) ?? mediaKey.get(id) ?? `missing:${id}`;
  const commentKey = new Map(comments.map((c) => [c.id, `${anyKey(c.post)}|${c.author_name}|${c.date_gmt}`]));
  const base = site.url.replace(/\/$/, '');
  const mediaByFile = new Map(media.map((m) => [String(m.source_url).replace(base, '{site}').replace(/\.[a-z0-9]+$/i, ''), `media:${m.slug}`]));
  /** Site URLs become `{site}`; ids in links, image classes and upload paths become keys. */
  const normalise = (html: string): string =>
    html
      .split(base)
      .join('{site}')
      .replace(/\{site\}\/\?(p|page_id|attachment_id)=(\d+)/g, (_, _k, id) => `{post ${anyKey(Number(id))}}`)
      .replace(/attachment_(\d+)/g, (_, id) => `attachment_{${mediaKey.get(Number(id)) ?? id}}`)
      .replace(/wp-image-(\d+)/g, (_, id) => `wp-image-{${mediaKey.get(Number(id)) ?? id}}`)
      .replace(/ids="([\d,\s]+)"/g, (_, ids: string) => `ids="${ids.split(',').map((id) => mediaKey.get(Number(id.trim())) ?? id).join(',')}"`)
      .replace(/"id":(\d+)/g, (_, id) => `"id":{${mediaKey.get(Number(id)) ?? anyKey(Number(id))}}`)
      .replace(/"mediaId":(\d+)/g, (_, id) => `"mediaId":{${mediaKey.get(Number(id)) ?? id}}`)
      // Galleries as older editors and importers save them: ids as strings, data-id on each image.
      .replace(/"ids":\[([^\]]*)\]/g, (_, list: string) => `"ids":[${list.replace(/\d+/g, (id) => `{${mediaKey.get(Number(id)) ?? id}}`)}]`)
      .replace(/data-id="(\d+)"/g, (_, id) => `data-id="{${mediaKey.get(Number(id)) ?? id}}"`)
      .replace(/\{site\}\/wp-content\/uploads\/\d{4}\/\d{2}\/([^"'\s)]+?)(-\d+x\d+)?(\.[a-z0-9]+)/gi, (match) => {
        const stem = match.replace(/(-\d+x\d+)?\.[a-z0-9]+$/i, '');
        return `{file ${mediaByFile.get(stem) ?? stem}}`;
      })
      // Permalinks, hierarchical ones too (/parent/child/): the last segment is the slug.
      .replace(/\{site\}\/((?:[a-z0-9%_-]+\/)*[a-z0-9%_-]+)\/?(?=["'#?])/gi, (whole, path: string) => {
        const slug = decodeURIComponent(path.split('/').at(-1)!).toLowerCase();
        const hit = posts.find((p) => decodeURIComponent(p.slug).toLowerCase() === slug);
        return hit ? `{post ${postKey(hit)}}` : whole;
      });

  const snapshot: SiteSnapshot = {
    users: new Map(users.map((u) => [u.username, { email: u.email, roles: [...u.roles].sort(), name: u.name, first: u.first_name, last: u.last_name, description: u.description, url: u.url }])),
    categories: new Map(categories.map((c) => [c.slug, { name: c.name, description: c.description, parent: c.parent ? termKey.get(c.parent) : null }])),
    tags: new Map(tags.map((t) => [t.slug, { name: t.name, description: t.description }])),
    media: new Map(),
    posts: new Map(
      posts.map((p) => [
        postKey(p),
        {
          title: p.title.raw,
          content: normalise(p.content.raw),
          excerpt: normalise(p.excerpt.raw),
          status: p.status,
          date: p.date_gmt,
          author: userKey.get(p.author),
          parent: p.parent ? anyKey(p.parent) : null,
          menuOrder: p.menu_order,
          categories: (p.categories ?? []).map((id: number) => termKey.get(id)).sort(),
          tags: (p.tags ?? []).map((id: number) => termKey.get(id)).sort(),
          featured: p.featured_media ? mediaKey.get(p.featured_media) : null,
          sticky: p.sticky ?? false,
          password: p.password,
          comments: p.comment_status,
          pings: p.ping_status,
          format: p.format ?? null,
        },
      ]),
    ),
    comments: new Map(
      comments.map((c) => [
        commentKey.get(c.id)!,
        { content: normalise(c.content.raw), status: c.status, parent: c.parent ? commentKey.get(c.parent) : null, email: c.author_email, url: c.author_url, user: c.author ? userKey.get(c.author) : null },
      ]),
    ),
    menus: new Map(menus.map((m) => [m.slug, { name: m.name, description: m.description, locations: [...m.locations].sort() }])),
    menuItems: new Map(),
    settings: {
      title: settings.title,
      description: settings.description,
      timezone: settings.timezone,
      dateFormat: settings.date_format,
      timeFormat: settings.time_format,
      perPage: settings.posts_per_page,
      showOnFront: settings.show_on_front,
      pageOnFront: settings.page_on_front ? anyKey(settings.page_on_front) : null,
      pageForPosts: settings.page_for_posts ? anyKey(settings.page_for_posts) : null,
    },
    texts: [...posts.map((p) => `${p.content.raw}\n${p.excerpt.raw}`), ...comments.map((c) => c.content.raw)],
  };
  const menuKey = new Map(menus.map((m) => [m.id, m.slug as string]));
  const itemKey = new Map(menuItems.map((i) => [i.id, `${menuKey.get(i.menus)}|${i.title.raw}|${i.menu_order}`]));
  for (const i of menuItems) {
    snapshot.menuItems.set(itemKey.get(i.id)!, {
      parent: i.parent ? itemKey.get(i.parent) : null,
      kind: i.type,
      // An item whose post or term is gone (WordPress's "invalid") points at nothing on either site.
      object: i.type === 'custom' ? normalise(i.url) : i.invalid && i.url === '' ? `gone ${i.object}` : i.type === 'taxonomy' ? termKey.get(i.object_id) : anyKey(i.object_id),
    });
  }
  for (const m of media) {
    const bytes = Buffer.from(await (await fetch(m.source_url)).arrayBuffer());
    snapshot.media.set(m.slug, {
      title: m.title.raw,
      alt: m.alt_text,
      caption: normalise(m.caption.raw),
      description: normalise(m.description.raw),
      author: userKey.get(m.author),
      parent: m.post ? anyKey(m.post) : null,
      mime: m.mime_type,
      sha1: createHash('sha1').update(bytes).digest('hex'),
    });
  }
  return snapshot;
}
