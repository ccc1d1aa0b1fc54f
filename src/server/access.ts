import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FerryStore } from '../store/ferry-store.js';
import type { Role, UserRecord } from '../store/records.js';
import { ApiError } from './errors.js';
import { newToken, sameSecret, tokenHash } from './passwords.js';
import type { Access } from './route-table.js';

export const SESSION_COOKIE = 'ferry_session';
export const CSRF_HEADER = 'x-csrf-token';
const SESSION_HOURS = 12;
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** Who is calling and how they proved it. */
export interface Caller {
  user: UserRecord | null;
  via: 'session' | 'token' | 'none';
  sessionHash?: string;
  csrf?: string;
}

export function roleAllows(role: Role, needed: Role): boolean {
  return RANK[role] >= RANK[needed];
}

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** Finds the caller from a Bearer token or the session cookie; anonymous when neither is valid. */
export async function identify(store: FerryStore, request: FastifyRequest, now: string): Promise<Caller> {
  const auth = request.headers.authorization;
  if (auth?.startsWith('Bearer ')) {
    const user = await store.access.userByToken(tokenHash(auth.slice(7).trim()));
    return user ? { user, via: 'token' } : { user: null, via: 'none' };
  }
  const cookie = cookieValue(request, SESSION_COOKIE);
  if (cookie) {
    const hash = tokenHash(cookie);
    const session = await store.access.getSession(hash, now);
    const user = session ? await store.access.userById(session.userId) : undefined;
    if (session && user) return { user, via: 'session', sessionHash: hash, csrf: session.csrf };
  }
  return { user: null, via: 'none' };
}

/**
 * Refuses what the caller may not do: 401 when not signed in, 403 for a
 * role too low, and 403 for a cookie-authenticated write without the
 * session's CSRF token (a Bearer token cannot be sent by another site's page).
 */
export function authorize(caller: Caller, access: Access, request: FastifyRequest): void {
  if (access === 'public') return;
  if (!caller.user) throw new ApiError(401, 'Sign in first', { hint: 'POST /api/session with your name and password, or send an API token as "Authorization: Bearer <token>"' });
  if (!roleAllows(caller.user.role, access)) throw new ApiError(403, `This needs the ${access} role; "${caller.user.name}" is ${caller.user.role}`, { hint: 'ask an admin to change your role' });
  if (caller.via === 'session' && request.method !== 'GET' && request.method !== 'HEAD') {
    const header = request.headers[CSRF_HEADER];
    const sent = Array.isArray(header) ? header[0] : header;
    if (!sent || !caller.csrf || !sameSecret(sent, caller.csrf)) {
      throw new ApiError(403, `A signed-in write needs the session's CSRF token in the ${CSRF_HEADER} header`, { field: CSRF_HEADER, hint: 'GET /api/session answers it as "csrf"' });
    }
  }
}

/** Starts a session: the cookie is http-only, SameSite=Strict, and Secure when the request came over HTTPS. */
export async function startSession(store: FerryStore, reply: FastifyReply, request: FastifyRequest, user: UserRecord, now: Date): Promise<{ csrf: string }> {
  const token = newToken();
  const csrf = newToken();
  const expires = new Date(now.getTime() + SESSION_HOURS * 3_600_000);
  await store.access.purgeSessions(now.toISOString());
  await store.access.addSession({ tokenHash: tokenHash(token), userId: user.id, csrf, createdAt: now.toISOString(), expiresAt: expires.toISOString() });
  const secure = request.protocol === 'https' ? '; Secure' : '';
  void reply.header('set-cookie', `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_HOURS * 3600}${secure}`);
  return { csrf };
}

export function clearSessionCookie(reply: FastifyReply): void {
  void reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
}
