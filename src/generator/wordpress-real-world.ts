import type { Random } from './prng.js';
import { CONTENT_TOKENS, type GeneratedComment, type GeneratedMedia, type GeneratedPost } from './wordpress-content-types.js';

/**
 * Shapes that real WordPress exports hold and a tidy generator would not
 * make: galleries saved with string ids and `data-id` attributes, many core
 * blocks, shortcodes of plugins, entities, emoji and right-to-left text, a
 * percent-encoded slug; comments without an e-mail address or user agent, a
 * trackback; and (see {@link GeneratedExtras}, written by the fill's
 * "extras" step) block-theme objects, a plugin's post type and taxonomy, a
 * trashed post, an auto-draft and a menu item whose post was deleted.
 */

/** What the "extras" fill step creates: objects Ferry reports rather than carries, and odd leftovers. */
export interface GeneratedExtras {
  /** A plugin (written into the site's plugins folder and activated) with a post type and a taxonomy, both in REST. */
  plugin: { folder: string; postType: string; taxonomy: string; products: string[]; terms: string[] };
  /** A reusable block (wp_block) and a published post that embeds it by id. */
  reusableBlock: { title: string; content: string; postTitle: string; postSlug: string };
  /** A template and a template part customised in the Site Editor (stored for the active theme). */
  templates: Array<{ type: 'wp_template' | 'wp_template_part'; slug: string; title: string; content: string }>;
  /** User global styles of the active theme (theme.json shape). */
  globalStyles: Record<string, unknown>;
  /** A block navigation menu (wp_navigation). */
  navigation: { title: string; content: string };
  trashedTitle: string;
  autoDraftTitle: string;
  /**
   * A menu item in the first menu whose post is then deleted without WordPress's hooks (as importers
   * leave them). Its label differs from the post's title, which WordPress would store as empty.
   */
  danglingMenuItem?: { menuKey: string; title: string };
}

export function generateExtras(menuKeys: readonly string[]): GeneratedExtras {
  return {
    plugin: {
      folder: 'ferry-shop',
      postType: 'ferry_product',
      taxonomy: 'ferry_product_cat',
      products: ['Deck chair', 'Harbour map (folded)', 'Foghorn whistle'],
      terms: ['Souvenirs', 'Maps'],
    },
    reusableBlock: {
      title: 'Timetable notice',
      content: '<!-- wp:paragraph -->\n<p>Ferries leave every hour on the hour; last departure 23:00.</p>\n<!-- /wp:paragraph -->',
      postTitle: 'Where the notice lives',
      postSlug: 'reusable-notice',
    },
    templates: [
      { type: 'wp_template', slug: 'single', title: 'Single', content: '<!-- wp:template-part {"slug":"header","tagName":"header"} /-->\n<!-- wp:post-title /-->\n<!-- wp:post-content {"layout":{"inherit":true}} /-->' },
      { type: 'wp_template_part', slug: 'header', title: 'Header', content: '<!-- wp:site-title /-->\n<!-- wp:paragraph -->\n<p>Harbour Notes — the customised header</p>\n<!-- /wp:paragraph -->' },
    ],
    globalStyles: { version: 2, isGlobalStylesUserThemeJSON: true, styles: { color: { background: '#f4f1ea', text: '#1b2a3a' } }, settings: {} },
    navigation: { title: 'Header navigation', content: '<!-- wp:navigation-link {"label":"Timetable","url":"https://example.org/timetable","kind":"custom","isTopLevelLink":true} /-->' },
    trashedTitle: 'Old announcement (in the trash)',
    autoDraftTitle: 'Auto Draft',
    ...(menuKeys[0] !== undefined ? { danglingMenuItem: { menuKey: menuKeys[0], title: 'Story of the week' } } : {}),
  };
}

export interface RealWorldPlan {
  /** Number of posts already generated: the new ones continue the keys. */
  firstIndex: number;
  images: readonly GeneratedMedia[];
  files: readonly GeneratedMedia[];
  authorKey: string;
  categoryKey?: string;
  date: (index: number) => string;
}

/** How many posts {@link realWorldPosts} makes. */
export const REAL_WORLD_POSTS = 5;

/** Posts with the markup real sites hold (each published, with a fixed slug). */
export function realWorldPosts(plan: RealWorldPlan): GeneratedPost[] {
  const bodies: Array<{ title: string; slug: string; content: string }> = [];
  const [a, b, c] = plan.images;
  bodies.push({ title: 'Gallery from an old import', slug: 'imported-gallery', content: a && b ? legacyGallery([a, b, ...(c ? [c] : [])]) : '<p>No pictures on this site.</p>' });
  bodies.push({ title: 'Encodings: “quotes”, &amp; emoji 🚢, עברית, العربية', slug: 'encodings-tour', content: encodings() });
  bodies.push({ title: 'Every core block we know', slug: 'core-blocks-tour', content: coreBlocks(a, plan.files[0]) });
  bodies.push({ title: 'Classic post with shortcodes', slug: 'shortcodes-classic', content: shortcodes(a) });
  bodies.push({ title: 'Köln Fähre', slug: 'köln-fähre', content: '<p>A slug WordPress keeps percent-encoded: k%c3%b6ln-f%c3%a4hre.</p>' });
  return bodies.map((body, i) => ({
    key: `post-${plan.firstIndex + i + 1}`,
    type: 'post',
    title: body.title,
    slug: body.slug,
    content: body.content,
    excerpt: '',
    status: 'publish',
    date: plan.date(i),
    authorKey: plan.authorKey,
    menuOrder: 0,
    categoryKeys: plan.categoryKey ? [plan.categoryKey] : [],
    tagKeys: [],
    sticky: false,
    commentStatus: 'open',
    pingStatus: 'closed',
    format: 'standard',
    meta: {},
    history: [],
  }));
}

/** The gallery markup of WordPress 5.x, as importers carry it: ids as strings, data-id on each image. */
function legacyGallery(images: readonly GeneratedMedia[]): string {
  const ids = images.map((image) => `"${CONTENT_TOKENS.id(image.key)}"`).join(',');
  const items = images
    .map((image) => {
      const id = CONTENT_TOKENS.id(image.key);
      return `<li class="blocks-gallery-item"><figure><img src="${CONTENT_TOKENS.file(image.key)}" alt="" data-id="${id}" data-full-url="${CONTENT_TOKENS.file(image.key)}" data-link="${CONTENT_TOKENS.site}/?attachment_id=${id}" class="wp-image-${id}"/></figure></li>`;
    })
    .join('');
  return `<!-- wp:paragraph -->\n<p>Pictures from the old site.</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:gallery {"ids":[${ids}],"columns":${images.length},"linkTo":"none"} -->\n<figure class="wp-block-gallery columns-${images.length} is-cropped"><ul class="blocks-gallery-grid">${items}</ul></figure>\n<!-- /wp:gallery -->`;
}

function encodings(): string {
  return [
    '<!-- wp:paragraph -->\n<p>Entities: &amp; &lt;tag&gt; &nbsp;&#8217;s &#8220;curly&#8221; &copy; &#x1F6A2; and a literal ü, ß, Ø.</p>\n<!-- /wp:paragraph -->',
    '<!-- wp:paragraph -->\n<p>Emoji with joiners: 👩‍👩‍👧 🏳️‍🌈 🇳🇴 and a 4-byte note 𝄞.</p>\n<!-- /wp:paragraph -->',
    '<!-- wp:paragraph {"direction":"rtl"} -->\n<p dir="rtl">مرحبا بالعالم — שלום עולם (right to left)</p>\n<!-- /wp:paragraph -->',
    '<!-- wp:paragraph -->\n<p>Combining: e\u0301 (e + accent), zero-width\u200bspace, CJK 渡し船.</p>\n<!-- /wp:paragraph -->',
  ].join('\n\n');
}

function coreBlocks(image: GeneratedMedia | undefined, file: GeneratedMedia | undefined): string {
  const blocks = [
    '<!-- wp:heading {"level":3} -->\n<h3>Blocks</h3>\n<!-- /wp:heading -->',
    '<!-- wp:list {"ordered":true} -->\n<ol><li>first</li><li>second</li></ol>\n<!-- /wp:list -->',
    '<!-- wp:pullquote -->\n<figure class="wp-block-pullquote"><blockquote><p>The sea is calm.</p><cite>Captain</cite></blockquote></figure>\n<!-- /wp:pullquote -->',
    '<!-- wp:table -->\n<figure class="wp-block-table"><table><tbody><tr><td>Oslo</td><td>08:00</td></tr><tr><td>Kiel</td><td>10:00</td></tr></tbody></table></figure>\n<!-- /wp:table -->',
    '<!-- wp:code -->\n<pre class="wp-block-code"><code>if (a &lt; b) { return "&amp;"; }</code></pre>\n<!-- /wp:code -->',
    '<!-- wp:preformatted -->\n<pre class="wp-block-preformatted">  spaced\n    text</pre>\n<!-- /wp:preformatted -->',
    '<!-- wp:verse -->\n<pre class="wp-block-verse">Row, row,\nrow your boat</pre>\n<!-- /wp:verse -->',
    '<!-- wp:separator -->\n<hr class="wp-block-separator has-alpha-channel-opacity"/>\n<!-- /wp:separator -->',
    '<!-- wp:spacer {"height":"24px"} -->\n<div style="height:24px" aria-hidden="true" class="wp-block-spacer"></div>\n<!-- /wp:spacer -->',
    '<!-- wp:buttons -->\n<div class="wp-block-buttons"><!-- wp:button -->\n<div class="wp-block-button"><a class="wp-block-button__link wp-element-button" href="{{site}}/?s=ferry">Search</a></div>\n<!-- /wp:button --></div>\n<!-- /wp:buttons -->',
    '<!-- wp:columns -->\n<div class="wp-block-columns"><!-- wp:column -->\n<div class="wp-block-column"><!-- wp:paragraph -->\n<p>Left</p>\n<!-- /wp:paragraph --></div>\n<!-- /wp:column -->\n\n<!-- wp:column -->\n<div class="wp-block-column"><!-- wp:paragraph -->\n<p>Right</p>\n<!-- /wp:paragraph --></div>\n<!-- /wp:column --></div>\n<!-- /wp:columns -->',
    '<!-- wp:group -->\n<div class="wp-block-group"><!-- wp:paragraph -->\n<p>Grouped</p>\n<!-- /wp:paragraph --></div>\n<!-- /wp:group -->',
    '<!-- wp:html -->\n<div class="custom-widget" data-ferry="1"><span>raw HTML</span></div>\n<!-- /wp:html -->',
    '<!-- wp:shortcode -->\n[contact-form-7 id="42" title="Contact"]\n<!-- /wp:shortcode -->',
    '<!-- wp:embed {"url":"https://www.youtube.com/watch?v=dQw4w9WgXcQ","type":"video","providerNameSlug":"youtube"} -->\n<figure class="wp-block-embed is-type-video is-provider-youtube"><div class="wp-block-embed__wrapper">\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n</div></figure>\n<!-- /wp:embed -->',
  ];
  if (image) {
    const id = CONTENT_TOKENS.id(image.key);
    blocks.push(`<!-- wp:cover {"url":"${CONTENT_TOKENS.file(image.key)}","id":${id},"dimRatio":50} -->\n<div class="wp-block-cover"><img class="wp-block-cover__image-background wp-image-${id}" alt="" src="${CONTENT_TOKENS.file(image.key)}" data-object-fit="cover"/><div class="wp-block-cover__inner-container"><!-- wp:paragraph -->\n<p>Cover</p>\n<!-- /wp:paragraph --></div></div>\n<!-- /wp:cover -->`);
    blocks.push(`<!-- wp:media-text {"mediaId":${id},"mediaType":"image"} -->\n<div class="wp-block-media-text"><figure class="wp-block-media-text__media"><img src="${CONTENT_TOKENS.file(image.key)}" alt="" class="wp-image-${id} size-full"/></figure><div class="wp-block-media-text__content"><!-- wp:paragraph -->\n<p>Beside a picture</p>\n<!-- /wp:paragraph --></div></div>\n<!-- /wp:media-text -->`);
  }
  if (file) {
    const id = CONTENT_TOKENS.id(file.key);
    blocks.push(`<!-- wp:file {"id":${id},"href":"${CONTENT_TOKENS.file(file.key)}"} -->\n<div class="wp-block-file"><a href="${CONTENT_TOKENS.file(file.key)}">${file.fileName}</a></div>\n<!-- /wp:file -->`);
  }
  return blocks.join('\n\n');
}

function shortcodes(image: GeneratedMedia | undefined): string {
  const lines = [
    '<p>Classic editor text with a plugin&#8217;s shortcodes, kept as they are:</p>',
    '[contact-form-7 id="42" title="Contact"]',
    '[embed]https://vimeo.com/76979871[/embed]',
    '[audio mp3="https://example.org/horn.mp3"][/audio]',
  ];
  if (image) lines.push(`[caption id="attachment_${CONTENT_TOKENS.id(image.key)}" align="alignright" width="100"]<img class="size-full wp-image-${CONTENT_TOKENS.id(image.key)}" src="${CONTENT_TOKENS.file(image.key)}" alt="" width="100" height="100" /> A right-aligned caption[/caption]`);
  return lines.join('\n\n');
}

/**
 * Real comments: some guests leave no e-mail address (sites that do not
 * require one), some requests carried no user agent, one visitor left no
 * name, address or URL at all, and one trackback.
 */
export function realWorldComments(random: Random, comments: GeneratedComment[]): GeneratedComment[] {
  const out = comments.map((comment, index) => {
    if (comment.type !== 'comment' || comment.userKey !== undefined) return comment;
    if (index % 23 === 5) return { ...comment, authorEmail: '' };
    if (index % 19 === 7) return { ...comment, userAgent: '' };
    return comment;
  });
  const guests = out.filter((comment) => comment.type === 'comment' && comment.userKey === undefined && comment.parentKey === undefined && comment.status === 'approved');
  const first = guests[0];
  if (first !== undefined) {
    const index = out.indexOf(first);
    out[index] = { ...first, authorName: '', authorEmail: '', authorUrl: '', userAgent: '' };
  }
  const host = guests[1];
  if (host !== undefined) {
    out.push({
      key: `comment-${out.length + 1}`,
      postKey: host.postKey,
      authorName: 'Harbour Weekly',
      authorEmail: '',
      authorUrl: 'https://example.org/harbour-weekly/ferries',
      authorIp: '203.0.113.9',
      content: `<strong>Ferry news</strong> ${random.pick(['We linked to this.', 'Mentioned in our weekly round-up.'])}`,
      status: 'approved',
      type: 'trackback',
      date: host.date,
      userAgent: 'The Incutio XML-RPC PHP Library',
    });
  }
  return out;
}
