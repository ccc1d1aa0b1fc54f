import { z } from 'zod';
import { ConnectorError } from '../../sdk/errors.js';
import { isApiCode } from './api-errors.js';
import type { MwContext } from './context.js';
import { XML_FOOTER, xmlHeader, xmlPage, type XmlNamespace, type XmlRevision } from './export-xml.js';

/**
 * Sends pages to `action=import` in as few uploads as the target allows.
 * One import of many pages costs about as much as one edit, so pages are
 * packed together; a history too big for one upload is cut by revision.
 * The budget starts generous and shrinks to what the wiki's answers reveal
 * (PHP's upload_max_filesize is not readable through the API).
 */

/** One page of the batch to import, and what came of it. */
export interface ImportJob {
  title: string;
  ns: number;
  revisions: XmlRevision[];
  /** Revisions MediaWiki reported as imported. */
  imported: number;
  /** Uploads this page was spread over (each one adds a null revision). */
  parts: number;
  error?: unknown;
}

interface Fragment {
  job: ImportJob;
  revisions: XmlRevision[];
  xml: string;
  bytes: number;
}

const importAnswerSchema = z.array(
  z.object({ title: z.string().optional(), ns: z.number().optional(), revisions: z.number().optional(), invalid: z.boolean().optional() }),
);

/** Imports every job's revisions; per-job failures land in `job.error`, fatal ones (rights, set-up) are thrown. */
export async function importJobs(ctx: MwContext, jobs: ImportJob[], namespaces: XmlNamespace[], signal: AbortSignal): Promise<void> {
  const header = xmlHeader(namespaces);
  const fragments = jobs.filter((j) => j.revisions.length > 0).flatMap((job) => fragmentsOf(job, job.revisions, ctx.limits.importBudget, header));
  await importFragments(ctx, fragments, header, signal);
}

async function importFragments(ctx: MwContext, fragments: Fragment[], header: string, signal: AbortSignal): Promise<void> {
  for (const chunk of pack(fragments, ctx.limits.importBudget, header)) {
    const live = chunk.filter((f) => f.job.error === undefined);
    if (live.length === 0) continue;
    try {
      await importChunk(ctx, live, header, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      await recover(ctx, live, header, error, signal);
    }
  }
}

/** After a failed upload: cut smaller when it was too big, isolate the culprit otherwise. */
async function recover(ctx: MwContext, chunk: Fragment[], header: string, error: unknown, signal: AbortSignal): Promise<void> {
  if (learnLimit(ctx, error, chunk)) {
    // The budget is now below what was sent, so every retry is smaller: this ends with single revisions.
    const single = chunk.length === 1 && chunk[0]!.revisions.length === 1;
    if (!single) {
      const smaller = chunk.flatMap((f) => fragmentsOf(f.job, f.revisions, ctx.limits.importBudget, header));
      return importFragments(ctx, smaller, header, signal);
    }
    chunk[0]!.job.error = revisionTooLarge(chunk[0]!, ctx.limits.phpUploadBytes, error);
    return;
  }
  if (error instanceof ConnectorError && (error.kind === 'auth' || error.kind === 'config')) throw error;
  if (chunk.length > 1) {
    // One bad page (unknown content model, refused title...) fails the whole upload: try them one by one.
    for (const fragment of chunk) await importFragments(ctx, [fragment], header, signal);
    return;
  }
  for (const fragment of chunk) fragment.job.error = error;
}

async function importChunk(ctx: MwContext, chunk: Fragment[], header: string, signal: AbortSignal): Promise<void> {
  const xml = header + chunk.map((f) => f.xml).join('') + XML_FOOTER;
  const revisions = chunk.reduce((n, f) => n + f.revisions.length, 0);
  const result = await ctx.api.post(
    {
      action: 'import',
      interwikiprefix: 'ferry',
      // Authors that exist on the target get the edits; others show as "ferry>Name".
      assignknownusers: true,
      summary: `Migrated by ${ctx.connector.userAgent}`,
    },
    {
      signal,
      files: { xml: { blob: new Blob([xml], { type: 'application/xml' }), filename: 'ferry-import.xml' } },
      what: `importing ${chunk.length} page(s), ${revisions} revision(s)`,
    },
  );
  const answers = importAnswerSchema.parse(result.import ?? []);
  ctx.connector.log('debug', `imported ${chunk.length} page(s), ${Buffer.byteLength(xml)} bytes of XML`);
  for (const [index, fragment] of chunk.entries()) {
    fragment.job.parts++;
    const answer = answers.length === chunk.length ? answers[index] : answers.find((a) => a.title === fragment.job.title);
    if (answer?.invalid || !answer) {
      fragment.job.error = new ConnectorError(`MediaWiki did not import "${fragment.job.title}": the title is invalid there, or the account may not edit it`, {
        kind: 'data',
        hint: 'Pages in the MediaWiki: namespace need the "editinterface" right (bot password grant "Edit the MediaWiki namespace").',
      });
      continue;
    }
    fragment.job.imported += answer.revisions ?? 0;
  }
}

/** Reads the upload limit out of a refusal; true when the upload was too big. */
function learnLimit(ctx: MwContext, error: unknown, chunk: Fragment[]): boolean {
  const sent = chunk.reduce((n, f) => n + f.bytes, 0);
  if (isApiCode(error, 'badupload') && typeof error.details.size === 'number') {
    // "exceeds the server's maximum" carries PHP's upload_max_filesize.
    ctx.limits.phpUploadBytes = error.details.size;
    ctx.limits.importBudget = Math.min(ctx.limits.importBudget, error.details.size - 16 * 1024, sent - 1);
    return true;
  }
  const bodyDropped = isApiCode(error, 'missingparam') && /token/i.test(error.message);
  if (isApiCode(error, 'filetoobig') || bodyDropped) {
    // PHP dropped the whole body (post_max_size): we only know it was too much.
    ctx.limits.importBudget = Math.min(ctx.limits.importBudget, Math.floor(sent / 2));
    return true;
  }
  return false;
}

function revisionTooLarge(fragment: Fragment, limit: number | undefined, cause: unknown): ConnectorError {
  const accepted = limit ? `; the target accepts uploads up to ${formatBytes(limit)}` : '';
  return new ConnectorError(
    `A revision of "${fragment.job.title}" needs ${formatBytes(fragment.bytes)} of import XML, too big for the target${accepted}`,
    { kind: 'too_large', hint: "Raise upload_max_filesize and post_max_size in the target's php.ini.", cause },
  );
}

/** The page's revisions as one fragment, or several when they do not fit the budget together. */
function fragmentsOf(job: ImportJob, revisions: XmlRevision[], budget: number, header: string): Fragment[] {
  const room = budget - Buffer.byteLength(header) - XML_FOOTER.length;
  const whole = fragment(job, revisions);
  if (whole.bytes <= room || revisions.length <= 1) return [whole];
  const out: Fragment[] = [];
  let group: XmlRevision[] = [];
  let groupBytes = 0;
  for (const revision of revisions) {
    const bytes = fragment(job, [revision]).bytes;
    if (group.length > 0 && groupBytes + bytes > room) {
      out.push(fragment(job, group));
      group = [];
      groupBytes = 0;
    }
    group.push(revision);
    groupBytes += bytes;
  }
  if (group.length > 0) out.push(fragment(job, group));
  return out;
}

function fragment(job: ImportJob, revisions: XmlRevision[]): Fragment {
  const xml = xmlPage({ title: job.title, ns: job.ns, revisions });
  return { job, revisions, xml, bytes: Buffer.byteLength(xml) };
}

/** Packs fragments in order into uploads of at most `budget` bytes. */
function pack(fragments: Fragment[], budget: number, header: string): Fragment[][] {
  const room = budget - Buffer.byteLength(header) - XML_FOOTER.length;
  const chunks: Fragment[][] = [];
  let current: Fragment[] = [];
  let used = 0;
  for (const f of fragments) {
    // Two parts of one page never share an upload: MediaWiki would add a null revision between them anyway.
    const samePage = current.some((c) => c.job === f.job);
    if (current.length > 0 && (used + f.bytes > room || samePage)) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(f);
    used += f.bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}
