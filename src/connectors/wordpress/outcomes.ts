import type { ItemRef, WriteOutcome, WriteRequest, WriteResult } from '../../sdk/connector.js';

/**
 * Writes a batch one request at a time: a failure belongs to its item, not
 * to the batch; only a cancelled run stops the batch. The engine resolves
 * references before the batch, so a reply cannot know the comment written
 * just before it in the same batch (nor a page its parent): `resolve` here
 * also answers with the target ids of this batch's earlier items.
 */
export async function eachRequest(type: string, requests: WriteRequest[], signal: AbortSignal, write: (request: WriteRequest) => Promise<WriteResult>): Promise<WriteOutcome[]> {
  const outcomes: WriteOutcome[] = [];
  const written = new Map<string, string>();
  for (const request of requests) {
    const resolve = (ref: ItemRef): string | undefined => request.resolve(ref) ?? (ref.type === type ? written.get(ref.sourceId) : undefined);
    try {
      const result = await write({ ...request, resolve });
      written.set(request.item.sourceId, result.targetId);
      outcomes.push({ ok: true, result });
    } catch (error) {
      if (signal.aborted) throw error;
      outcomes.push({ ok: false, error });
    }
  }
  return outcomes;
}

/** Drops empty optional parts of a result, so results compare and print cleanly. */
export function result(parts: WriteResult): WriteResult {
  const { actions, deferred, warnings, ...rest } = parts;
  return {
    ...rest,
    ...(actions && actions.length > 0 ? { actions } : {}),
    ...(deferred && deferred.length > 0 ? { deferred } : {}),
    ...(warnings && warnings.length > 0 ? { warnings } : {}),
  };
}
