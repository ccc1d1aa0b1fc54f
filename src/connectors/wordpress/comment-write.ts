import { z } from 'zod';
import type { ItemRef, SourceItem, WriteOutcome, WriteRequest, WriteResult } from '../../sdk/connector.js';
import { ConnectorError } from '../../sdk/errors.js';
import { hasWpCode } from './api-errors.js';
import { ADOPTED, COMMENT_FIELDS, commentRowSchema, commentState, commentVersion, commentsById, commentsOfPost, comparableContent, fingerprint, type CommentData, type CommentRow } from './comments.js';
import type { WpContext } from './context.js';
import { changedFields } from './hashing.js';
import { eachRequest, result } from './outcomes.js';
import { ROUTES } from './post-keys.js';

/**
 * Writing comments. WordPress refuses a new comment on a post whose
 * comments are closed, or on a draft, even from an administrator; Ferry
 * then opens the post (or makes the draft "pending") for the moment of the
 * write and puts it back, one post at a time. A reply whose parent another
 * batch of this session is writing at the moment waits for that write; a
 * reply whose parent is not on the target yet otherwise is written at the
 * top level and moved under its parent in the engine's second pass.
 */

export async function writeComments(ctx: WpContext, requests: WriteRequest[], signal: AbortSignal): Promise<WriteOutcome[]> {
  // The rows of updates in one read (the second pass writes whole batches of them), not one each.
  const ids = requests.filter((r) => r.mode === 'update' && r.existing && r.existing.version !== ADOPTED).map((r) => Number(r.existing!.targetId));
  const rows = ids.length > 0 ? await commentsById(ctx, ids, signal) : new Map<number, CommentRow>();
  return eachRequest('comment', requests, signal, (request) => {
    const write = writeComment(ctx, request, rows, signal);
    const data = (request.item as SourceItem<CommentData>).data;
    const post = request.resolve({ type: data.postType, sourceId: String(data.post) });
    // A failed write may still have reached the site: that post's comments are looked up on the target again.
    if (post !== undefined) {
      write.then(
        (written) => rememberSessionComment(ctx, request.item.key, Number(post), written),
        () => ctx.uncertainCommentPosts.add(Number(post)),
      );
    }
    // Registered once the write has started: a write only ever waits for one that started before it
    // (its parent's, up the thread), so waits cannot go round in a circle; and a started write holds
    // its batch's target slot, so the one waited for is not itself waiting for a slot.
    ctx.commentWrites.set(request.item.sourceId, write.then((r) => r.targetId, () => undefined));
    // Only the latest writes matter (the engine's ID map knows the older ones): keep memory flat on big sites.
    if (ctx.commentWrites.size > KEPT_WRITES) ctx.commentWrites.delete(ctx.commentWrites.keys().next().value!);
    return write;
  });
}

const KEPT_WRITES = 5_000;

/** A comment written on a post this session created: its look-up is answered from memory (see WpContext.sessionComments). */
function rememberSessionComment(ctx: WpContext, key: string, post: number, written: WriteResult): void {
  if (!ctx.createdPosts.has(post)) return;
  ctx.sessionComments.delete(key);
  ctx.sessionComments.set(key, { post, ref: { targetId: written.targetId, ...(written.version !== undefined ? { version: written.version } : {}) } });
  if (ctx.sessionComments.size <= KEPT_WRITES) return;
  const [oldest, entry] = ctx.sessionComments.entries().next().value!;
  ctx.sessionComments.delete(oldest);
  ctx.uncertainCommentPosts.add(entry.post);
}

/** The target id of a parent comment another batch of this session is writing right now, once written. */
async function parentBeingWritten(ctx: WpContext, sourceId: string, signal: AbortSignal): Promise<string | undefined> {
  const pending = ctx.commentWrites.get(sourceId);
  if (pending === undefined) return undefined;
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([pending, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

async function writeComment(ctx: WpContext, request: WriteRequest, rows: Map<number, CommentRow>, signal: AbortSignal): Promise<WriteResult> {
  const item = request.item as SourceItem<CommentData>;
  const data = item.data;
  const post = request.resolve({ type: data.postType, sourceId: String(data.post) });
  if (post === undefined) {
    throw new ConnectorError(`The ${data.postType} of comment "${item.label}" was not migrated, so the comment has nowhere to go`, {
      kind: 'data',
      hint: `Include its ${data.postType} in the plan, or leave the comment out.`,
    });
  }
  const deferred: ItemRef[] = [];
  let parent = 0;
  if (data.parent > 0) {
    const ref = { type: 'comment', sourceId: String(data.parent) };
    const resolved = request.resolve(ref) ?? (await parentBeingWritten(ctx, ref.sourceId, signal));
    if (resolved === undefined) deferred.push(ref);
    else parent = Number(resolved);
  }
  const author = data.author > 0 ? request.resolve({ type: 'user', sourceId: String(data.author) }) : undefined;
  const rewritten = await ctx.targetLinks.rewrite({ content: data.content }, data.links, request.resolve, signal);
  deferred.push(...rewritten.deferred);
  const desired = {
    post: Number(post),
    parent,
    author: author === undefined ? 0 : Number(author),
    author_name: data.author_name,
    author_email: data.author_email,
    author_url: data.author_url,
    date_gmt: data.date_gmt,
    content: rewritten.texts.content,
    status: data.status,
  };
  if (request.existing?.version === ADOPTED) return result({ targetId: request.existing.targetId, outcome: 'unchanged', version: ADOPTED, deferred });
  const existingId = request.existing ? Number(request.existing.targetId) : 0;
  const current = request.mode === 'update' && request.existing ? (rows.get(existingId) ?? (await commentsById(ctx, [existingId], signal)).get(existingId)) : undefined;
  if (current) {
    const state = commentState(current);
    const changed = changedFields({ ...desired, content: comparableContent(desired.content) }, state);
    if (changed.length === 0) return result({ targetId: String(current.id), outcome: 'unchanged', version: commentVersion(current), deferred });
    // Without date_gmt, WordPress recomputes it from the local date with the site's current time zone.
    const patch = { ...Object.fromEntries(changed.map((key) => [key, desired[key as keyof typeof desired]])), date_gmt: desired.date_gmt, ...keptIp(data) };
    ctx.connector.log('debug', `comment ${current.id} differs in ${changed.join(', ')}`);
    const row = await saveComment(ctx, { route: `wp/v2/comments/${current.id}`, body: patch, what: `updating comment "${item.label}"`, userAgent: data.author_user_agent }, signal, true);
    return result({ targetId: String(row.id), outcome: 'updated', version: commentVersion(row), deferred });
  }
  const { author: authorId, ...rest } = desired;
  // A visitor's comment without a name or an e-mail address: see PLACEHOLDER_AUTHOR.
  const anonymous = authorId === 0 && (data.author_name === '' || data.author_email === '');
  // author 0 (a visitor) is refused as "Invalid comment author ID": leave it out.
  const body = {
    ...rest,
    ...(anonymous ? { author_name: data.author_name || PLACEHOLDER_AUTHOR.name, author_email: data.author_email || PLACEHOLDER_AUTHOR.email } : {}),
    ...(authorId > 0 ? { author: authorId } : {}),
    ...(data.author_ip ? { author_ip: data.author_ip } : {}),
    ...(data.author_user_agent ? { author_user_agent: data.author_user_agent } : {}),
  };
  const create = async () => {
    const created = await saveComment(ctx, { route: 'wp/v2/comments', body, what: `creating comment "${item.label}"`, userAgent: data.author_user_agent }, signal, false);
    if (!anonymous) return created;
    // Updates do not apply require_name_email: the empty name or address is written back at once.
    const patch = { author_name: data.author_name, author_email: data.author_email, date_gmt: data.date_gmt, ...keptIp(data) };
    return saveComment(ctx, { route: `wp/v2/comments/${created.id}`, body: patch, what: `emptying the author fields of comment "${item.label}"`, userAgent: data.author_user_agent }, signal, true);
  };
  let row: CommentRow;
  try {
    const postId = Number(post);
    row = ctx.commentsClosed.has(postId)
      ? await withCommentsOpen(ctx, data.postType, postId, signal, create)
      : await create().catch((error: unknown) => {
          if (!hasWpCode(error, 'rest_comment_closed', 'rest_comment_draft_post')) throw error;
          ctx.commentsClosed.add(postId);
          return withCommentsOpen(ctx, data.postType, postId, signal, create);
        });
  } catch (error) {
    if (!hasWpCode(error, 'comment_duplicate')) throw error;
    return adoptDuplicate(ctx, item, desired, deferred, error, signal);
  }
  const warnings = data.author_ip ? [] : [`Comment "${item.label}" has no author IP on the source; the REST API accepts only a valid address, so the target recorded ${row.author_ip || "Ferry's own"}.`];
  return result({ targetId: String(row.id), outcome: 'created', version: commentVersion(row), deferred, warnings });
}

/**
 * WordPress refuses a comment with the same post, parent, author and words
 * as one it has: that one is this comment already (the sample comment of a
 * fresh site, or a copy made earlier by other means). It is adopted, and
 * undo leaves it alone.
 */
async function adoptDuplicate(ctx: WpContext, item: SourceItem<CommentData>, desired: { post: number; parent: number; author_name: string; author_email: string; content: string }, deferred: ItemRef[], error: unknown, signal: AbortSignal): Promise<WriteResult> {
  const words = fingerprint(desired.content);
  // An empty name or address matches Ferry's own stand-in: a write killed between its create and the
  // write-back of the empty fields left that comment, and finishing it is this write's job.
  const name = (c: CommentRow) => (desired.author_name === '' && c.author_name === PLACEHOLDER_AUTHOR.name ? '' : c.author_name);
  const email = (c: CommentRow) => (desired.author_email === '' && c.author_email === PLACEHOLDER_AUTHOR.email ? '' : c.author_email);
  const same = (await commentsOfPost(ctx, desired.post, signal)).find(
    (c) => c.parent === desired.parent && (name(c) === desired.author_name || (email(c) !== '' && email(c) === desired.author_email)) && fingerprint(c.content.raw ?? '') === words,
  );
  if (!same) throw error;
  if (name(same) !== same.author_name || email(same) !== same.author_email) {
    const patch = { author_name: desired.author_name, author_email: desired.author_email, date_gmt: item.data.date_gmt, ...keptIp(item.data) };
    const row = await saveComment(ctx, { route: `wp/v2/comments/${same.id}`, body: patch, what: `emptying the author fields of comment "${item.label}"`, userAgent: item.data.author_user_agent }, signal, true);
    return result({ targetId: String(row.id), outcome: 'created', version: commentVersion(row), deferred });
  }
  const message = `Comment "${item.label}" was already on the target (comment ${same.id}, same post, author and words); it was adopted as it is.`;
  return result({ targetId: String(same.id), outcome: 'adopted', version: ADOPTED, deferred, warnings: [message], actions: [{ code: 'comment-adopted', message, type: 'comment', sourceId: item.sourceId, label: item.label }] });
}

/**
 * Every write of a comment, updates too, records the address of the request
 * (Ferry's machine) as the author's IP unless the body names one. An empty
 * source IP cannot be sent (the REST API accepts only a valid address): such
 * a comment gets Ferry's address, and the write warns.
 */
function keptIp(data: CommentData): { author_ip?: string } {
  return data.author_ip ? { author_ip: data.author_ip } : {};
}

/**
 * Creating a visitor's comment without a name or e-mail address fails where
 * "Comment author must fill out name and email" (require_name_email, on by
 * default) is set: `rest_comment_author_data_required`, even for an
 * administrator. With neither name, e-mail nor URL, WordPress credits the
 * comment to the account that writes it instead. Such a comment is created
 * with these stand-ins and its own (empty) values are written right after:
 * updates apply neither rule.
 */
const PLACEHOLDER_AUTHOR = { name: 'Anonymous', email: 'anonymous@ferry.invalid' } as const;

interface CommentCall {
  route: string;
  body: Record<string, unknown>;
  what: string;
  /**
   * Sent as the User-Agent header: WordPress takes a comment's user agent
   * from it when the body names none, on create and on every update, so an
   * empty one on the source must be sent empty, not as Ferry's.
   */
  userAgent: string;
}

async function saveComment(ctx: WpContext, call: CommentCall, signal: AbortSignal, retry: boolean): Promise<CommentRow> {
  return commentRowSchema.parse(await ctx.api.post(call.route, call.body, { signal, query: { context: 'edit', _fields: COMMENT_FIELDS }, what: call.what, retry, userAgent: call.userAgent }));
}

const postStatusSchema = z.object({ id: z.number(), status: z.string(), comment_status: z.string() });

/**
 * Opens a closed post (or turns a draft into "pending") for one write and
 * restores it after, even when the write fails. One post at a time: two
 * batches must not close it under each other.
 */
async function withCommentsOpen<T>(ctx: WpContext, postType: 'post' | 'page' | 'media', postId: number, signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  const route = `${ROUTES[postType]}/${postId}`;
  return ctx.exclusive(`comments-open:${postId}`, async () => {
    const before = postStatusSchema.parse(await ctx.api.get(route, { signal, query: { context: 'edit', _fields: 'id,status,comment_status' }, what: `reading ${postType} ${postId}` }));
    const open: Record<string, string> = {};
    if (before.comment_status !== 'open') open.comment_status = 'open';
    if (before.status === 'draft') open.status = 'pending';
    if (Object.keys(open).length === 0) {
      // Already open: another batch opened it a moment ago, or the site closes old posts itself.
      try {
        return await work();
      } catch (error) {
        throw closedError(error, postId);
      }
    }
    await ctx.api.post(route, open, { signal, query: { _fields: 'id' }, what: `opening comments of ${postType} ${postId} for a moment` });
    try {
      return await work();
    } catch (error) {
      throw closedError(error, postId);
    } finally {
      const restore = Object.fromEntries(Object.keys(open).map((key) => [key, before[key as 'status' | 'comment_status']]));
      await ctx.api.post(route, restore, { signal: AbortSignal.timeout(60_000), query: { _fields: 'id' }, what: `closing comments of ${postType} ${postId} again` });
    }
  });
}

function closedError(error: unknown, postId: number): unknown {
  if (!hasWpCode(error, 'rest_comment_closed')) return error;
  return new ConnectorError(`Comments of post ${postId} on the target stay closed even with the post open for comments`, {
    kind: 'data',
    hint: 'Turn off "Automatically close comments on posts older than N days" (Settings → Discussion) on the target during the migration, then run again.',
    cause: error,
  });
}
