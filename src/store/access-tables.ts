import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';
import type { ApiTokenRecord, AuditRecord, Role, SessionRecord, UserRecord } from './records.js';

const toUser = (r: Selectable<Database['users']>): UserRecord => ({ id: r.id, name: r.name, role: r.role as Role, passwordHash: r.password_hash, createdAt: r.created_at });

/** Users, sessions, API tokens and the audit log of the server. Tokens are stored as hashes only. */
export class AccessTable {
  constructor(private readonly db: Kysely<Database>) {}

  async countUsers(): Promise<number> {
    const row = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async addUser(input: { name: string; role: Role; passwordHash: string; at: string }): Promise<UserRecord> {
    const row = await this.db.insertInto('users').values({ name: input.name, role: input.role, password_hash: input.passwordHash, created_at: input.at }).returningAll().executeTakeFirstOrThrow();
    return toUser(row);
  }

  async userByName(name: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async userById(id: number): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.db.selectFrom('users').selectAll().orderBy('name').execute()).map(toUser);
  }

  async updateUser(id: number, patch: { role?: Role; passwordHash?: string }): Promise<void> {
    const values: { role?: string; password_hash?: string } = {};
    if (patch.role) values.role = patch.role;
    if (patch.passwordHash) values.password_hash = patch.passwordHash;
    if (Object.keys(values).length > 0) await this.db.updateTable('users').set(values).where('id', '=', id).execute();
  }

  /** Removes a user with their sessions and tokens. */
  async removeUser(id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('sessions').where('user_id', '=', id).execute();
      await trx.deleteFrom('api_tokens').where('user_id', '=', id).execute();
      await trx.deleteFrom('users').where('id', '=', id).execute();
    });
  }

  async addSession(session: SessionRecord): Promise<void> {
    await this.db.insertInto('sessions').values({ token_hash: session.tokenHash, user_id: session.userId, csrf: session.csrf, created_at: session.createdAt, expires_at: session.expiresAt }).execute();
  }

  /** A session that has not expired at `now`. */
  async getSession(tokenHash: string, now: string): Promise<SessionRecord | undefined> {
    const r = await this.db.selectFrom('sessions').selectAll().where('token_hash', '=', tokenHash).where('expires_at', '>', now).executeTakeFirst();
    return r ? { tokenHash: r.token_hash, userId: r.user_id, csrf: r.csrf, createdAt: r.created_at, expiresAt: r.expires_at } : undefined;
  }

  async removeSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }

  async purgeSessions(now: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }

  async addToken(input: { userId: number; label: string; tokenHash: string; at: string }): Promise<ApiTokenRecord> {
    const r = await this.db.insertInto('api_tokens').values({ user_id: input.userId, label: input.label, token_hash: input.tokenHash, created_at: input.at }).returningAll().executeTakeFirstOrThrow();
    return { id: r.id, userId: r.user_id, label: r.label, createdAt: r.created_at };
  }

  async userByToken(tokenHash: string): Promise<UserRecord | undefined> {
    const row = await this.db.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id').selectAll('users').where('api_tokens.token_hash', '=', tokenHash).executeTakeFirst();
    return row ? toUser(row) : undefined;
  }

  async listTokens(userId?: number): Promise<ApiTokenRecord[]> {
    let q = this.db.selectFrom('api_tokens').select(['id', 'user_id', 'label', 'created_at']);
    if (userId !== undefined) q = q.where('user_id', '=', userId);
    return (await q.orderBy('id').execute()).map((r) => ({ id: r.id, userId: r.user_id, label: r.label, createdAt: r.created_at }));
  }

  async removeToken(id: number): Promise<boolean> {
    return (await this.db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n;
  }

  async addAudit(entry: Omit<AuditRecord, 'id'>): Promise<void> {
    await this.db.insertInto('audit').values(entry).execute();
  }

  /** Oldest first. */
  async listAudit(filter: { limit: number; offset?: number }): Promise<AuditRecord[]> {
    return this.db.selectFrom('audit').selectAll().orderBy('id').limit(filter.limit).offset(filter.offset ?? 0).execute();
  }
}
