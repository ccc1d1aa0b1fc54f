import type { Random } from './prng.js';
import { USER_NAMES } from './vocabulary.js';
import {
  CONTENT_TOKENS,
  type CommentStatus,
  type GeneratedComment,
  type GeneratedPost,
  type GeneratedWpUser,
} from './wordpress-content-types.js';
import { addSeconds, commentText, slugify } from './wordpress-text.js';

export interface CommentPlan {
  count: number;
  posts: readonly GeneratedPost[];
  users: readonly GeneratedWpUser[];
}

/** Threads this deep come first, so every site has some (WordPress shows 5 levels by default). */
const DEEP_THREAD_DEPTH = 7;
const DEEP_THREADS = 3;
/** One of each status early on; later statuses are drawn. */
const FIRST_STATUSES: readonly CommentStatus[] = ['approved', 'hold', 'spam', 'trash'];
const DRAWN_STATUSES: readonly CommentStatus[] = [...Array<CommentStatus>(41).fill('approved'), 'hold', 'hold', 'hold', 'hold', 'spam', 'spam', 'spam', 'trash', 'trash'];
const GUESTS = ['Anna K.', 'Pierre Dubois', 'ميا', 'Jonas 🚲', 'Keiko', 'O\'Brien', 'Guest'] as const;
const DAY = 86_400;

interface Author {
  userKey?: string;
  authorName: string;
  authorEmail: string;
  authorUrl: string;
  authorIp: string;
}

function author(random: Random, users: readonly GeneratedWpUser[], index: number): Author {
  const user = users.length > 0 && random.chance(0.35) ? random.pick(users) : undefined;
  if (user !== undefined) {
    return { userKey: user.key, authorName: user.displayName, authorEmail: user.email, authorUrl: user.url, authorIp: '127.0.0.1' };
  }
  const name = random.chance(0.5) ? random.pick(GUESTS) : random.pick(USER_NAMES);
  const local = slugify(name).replace(/-/g, '.') || `guest${index}`;
  return {
    authorName: name,
    authorEmail: `${local}@example.net`,
    authorUrl: random.chance(0.3) ? `https://example.net/${local}` : '',
    // Documentation ranges (RFC 5737, RFC 3849).
    authorIp: random.chance(0.8) ? `192.0.2.${random.int(1, 254)}` : `2001:db8::${random.int(1, 0xffff).toString(16)}`,
  };
}

/**
 * Comments on published posts and pages: a few threads deeper than WordPress
 * shows by default, replies to approved comments only, every status, guests
 * and registered commenters, and two pingbacks between posts.
 */
export function generateComments(random: Random, plan: CommentPlan): GeneratedComment[] {
  const targets = plan.posts.filter((post) => post.status === 'publish' && post.password === undefined);
  const open = targets.filter((post) => post.commentStatus === 'open');
  if (plan.count === 0 || targets.length === 0) return [];
  const comments: GeneratedComment[] = [];
  const add = (fields: Omit<GeneratedComment, 'key'>): GeneratedComment => {
    const comment = { key: `comment-${comments.length + 1}`, ...fields };
    comments.push(comment);
    return comment;
  };
  const pickPost = (): GeneratedPost => (open.length > 0 && random.chance(0.92) ? random.pick(open) : random.pick(targets));

  // Pingbacks: one post linking to another, as WordPress records it.
  for (let n = 0; n < 2 && plan.count >= 20 && targets.length >= 2; n++) {
    const [post, from] = random.shuffle(targets) as [GeneratedPost, GeneratedPost];
    add({
      postKey: post.key, authorName: from.title, authorEmail: '', authorUrl: CONTENT_TOKENS.link(from.key), authorIp: '127.0.0.1',
      content: `[&#8230;] ${commentText(random)} [&#8230;]`, status: 'approved', type: 'pingback', date: addSeconds(post.date, random.int(DAY, 30 * DAY)),
    });
  }
  for (let thread = 0; thread < DEEP_THREADS && comments.length + DEEP_THREAD_DEPTH <= plan.count; thread++) {
    const post = pickPost();
    let parent: GeneratedComment | undefined;
    for (let depth = 0; depth < DEEP_THREAD_DEPTH; depth++) {
      const date = addSeconds(parent?.date ?? post.date, random.int(600, 5 * DAY));
      parent = add({ postKey: post.key, ...(parent ? { parentKey: parent.key } : {}), ...author(random, plan.users, comments.length), content: commentText(random), status: 'approved', type: 'comment', date });
    }
  }
  for (let drawn = 0; comments.length < plan.count; drawn++) {
    const status = FIRST_STATUSES[drawn] ?? random.pick(DRAWN_STATUSES);
    const approved = comments.filter((comment) => comment.status === 'approved' && comment.type === 'comment');
    const parent = approved.length > 0 && random.chance(0.4) ? random.pick(approved) : undefined;
    const post = parent === undefined ? pickPost() : (plan.posts.find((p) => p.key === parent.postKey) as GeneratedPost);
    const date = addSeconds(parent?.date ?? post.date, random.int(600, parent ? 10 * DAY : 400 * DAY));
    add({ postKey: post.key, ...(parent ? { parentKey: parent.key } : {}), ...author(random, plan.users, comments.length), content: commentText(random), status, type: 'comment', date });
  }
  return comments;
}
