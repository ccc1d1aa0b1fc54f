import { openAsBlob } from 'node:fs';
import { z } from 'zod';
import { ConnectorError } from '../../sdk/errors.js';
import type { ApiParams } from './api-client.js';
import { isApiCode } from './api-errors.js';
import type { MwContext } from './context.js';

/**
 * `action=upload`, streamed from disk. Files bigger than one request may
 * carry (PHP's upload_max_filesize, often 2 MB, below $wgMaxUploadSize) go
 * in chunks through the upload stash. The file is never read whole into memory.
 */

export interface UploadInput {
  /** File name without the namespace prefix. */
  name: string;
  path: string;
  size: number;
  comment: string;
  /** Text of the description page, used by MediaWiki only when that page does not exist yet. */
  text: string;
}

/** Default chunk size while PHP's real limit is unknown: under a typical 8 MB post_max_size. */
const DEFAULT_CHUNK = 4 * 1024 * 1024;
/** Room for the other form fields beside a chunk. */
const FORM_MARGIN = 64 * 1024;

const uploadAnswerSchema = z.object({
  result: z.string(),
  filekey: z.string().optional(),
  offset: z.number().optional(),
  warnings: z.record(z.string(), z.unknown()).optional(),
  imageinfo: z.object({ sha1: z.string().optional() }).optional(),
});

/** Uploads a file; returns the SHA-1 MediaWiki reports, when it does. */
export async function uploadFile(ctx: MwContext, input: UploadInput, signal: AbortSignal): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    const chunk = chunkSize(ctx);
    try {
      return input.size <= chunk ? await uploadWhole(ctx, input, signal) : await uploadInChunks(ctx, input, chunk, signal);
    } catch (error) {
      // PHP refused the body and told us its limit: go again in chunks that fit.
      const learnt = isApiCode(error, 'badupload') && typeof error.details.size === 'number';
      if (!learnt || attempt > 0) throw error;
      ctx.limits.phpUploadBytes = error.details.size as number;
    }
  }
}

function chunkSize(ctx: MwContext): number {
  const php = ctx.limits.phpUploadBytes;
  return php ? Math.max(1024, Math.min(DEFAULT_CHUNK, php - FORM_MARGIN)) : DEFAULT_CHUNK;
}

async function uploadWhole(ctx: MwContext, input: UploadInput, signal: AbortSignal): Promise<string | undefined> {
  const blob = await openAsBlob(input.path);
  const result = await ctx.api.post(
    { action: 'upload', filename: input.name, comment: input.comment, text: input.text, ignorewarnings: true },
    { signal, files: { file: { blob, filename: input.name } }, what: `uploading "${input.name}"` },
  );
  return finalAnswer(input, result);
}

async function uploadInChunks(ctx: MwContext, input: UploadInput, size: number, signal: AbortSignal): Promise<string | undefined> {
  const blob = await openAsBlob(input.path);
  let filekey: string | undefined;
  for (let offset = 0; offset < input.size; offset += size) {
    const params: ApiParams = { action: 'upload', stash: true, filename: input.name, filesize: input.size, offset, ignorewarnings: true, filekey };
    const part = blob.slice(offset, Math.min(offset + size, input.size));
    // A chunk sent twice is refused ("wrong offset"): no blind retries; the engine retries the item.
    const result = await ctx.api.post(params, {
      signal,
      files: { chunk: { blob: part, filename: input.name } },
      what: `uploading "${input.name}" (bytes ${offset}-${offset + part.size} of ${input.size})`,
      retry: false,
    });
    const answer = uploadAnswerSchema.parse(result.upload);
    if (answer.result !== 'Continue' && answer.result !== 'Success') throw unexpected(input, answer.result);
    filekey = answer.filekey ?? filekey;
  }
  if (!filekey) throw new ConnectorError(`The wiki gave no stash key for "${input.name}"`, { kind: 'transient' });
  const result = await ctx.api.post(
    { action: 'upload', filename: input.name, filekey, comment: input.comment, text: input.text, ignorewarnings: true },
    { signal, what: `publishing "${input.name}"` },
  );
  return finalAnswer(input, result);
}

function finalAnswer(input: UploadInput, result: Record<string, unknown>): string | undefined {
  const answer = uploadAnswerSchema.parse(result.upload);
  if (answer.result !== 'Success') throw unexpected(input, answer.result, answer.warnings);
  return answer.imageinfo?.sha1;
}

function unexpected(input: UploadInput, result: string, warnings?: Record<string, unknown>): ConnectorError {
  const detail = warnings ? ` (${Object.keys(warnings).join(', ')})` : '';
  return new ConnectorError(`Uploading "${input.name}" ended with "${result}"${detail}`, { kind: 'data' });
}
