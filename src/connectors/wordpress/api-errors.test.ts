import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../sdk/errors.js';
import { hasWpCode, remapWpError, wpErrorOf } from './api-errors.js';

const failed = (status: number, kind: ConnectorError['kind'], body: string) => new ConnectorError(`creating x failed: HTTP ${status} Whatever ${body}`, { kind });

describe('WordPress error answers', () => {
  it('reads the code, the message (entities decoded) and the status', () => {
    const error = failed(409, 'conflict', '{"code":"comment_duplicate","message":"Duplicate comment detected; it looks as though you&#8217;ve already said that!","data":{"status":409}}');
    expect(wpErrorOf(error)).toEqual({ code: 'comment_duplicate', message: 'Duplicate comment detected; it looks as though you’ve already said that!', status: 409 });
    expect(hasWpCode(error, 'term_exists', 'comment_duplicate')).toBe(true);
    expect(wpErrorOf(new Error('plain failure'))).toBeUndefined();
  });

  it('gives a per-item refusal the kind data even when it comes as a 403', () => {
    const remapped = remapWpError(failed(403, 'auth', '{"code":"rest_comment_closed","message":"Sorry, comments are closed for this item.","data":{"status":403}}'), 'creating comment "x"') as ConnectorError;
    expect(remapped.kind).toBe('data');
    expect(remapped.message).toBe('creating comment "x" failed: Sorry, comments are closed for this item. (rest_comment_closed, HTTP 403)');
  });

  it('keeps rights problems as auth with a hint, and unknown codes as the status said', () => {
    const denied = remapWpError(failed(401, 'auth', '{"code":"rest_not_logged_in","message":"You are not currently logged in."}'), 'signing in') as ConnectorError;
    expect(denied.kind).toBe('auth');
    expect(denied.hint).toMatch(/Application Password/);
    expect((remapWpError(failed(403, 'auth', '{"code":"rest_cannot_create","message":"no"}'), 'x') as ConnectorError).kind).toBe('auth');
    expect((remapWpError(failed(500, 'transient', '{"code":"db_insert_error","message":"db"}'), 'x') as ConnectorError).kind).toBe('transient');
    expect((remapWpError(failed(400, 'data', '{"code":"term_exists","message":"A term with the name provided already exists."}'), 'x') as ConnectorError).kind).toBe('conflict');
  });

  it("retries the upload that lost the race to create the month's folder; other upload errors stay data", () => {
    const raced = failed(500, 'transient', '{"code":"rest_upload_unknown_error","message":"Unable to create directory uploads/2026/11. Is its parent directory writable by the server?","data":{"status":500}}');
    expect((remapWpError(raced, 'uploading "a.png"') as ConnectorError).kind).toBe('transient');
    const other = failed(500, 'transient', '{"code":"rest_upload_unknown_error","message":"The uploaded file could not be moved to uploads/2026/11.","data":{"status":500}}');
    expect((remapWpError(other, 'uploading "a.png"') as ConnectorError).kind).toBe('data');
  });
});
