import type { z } from 'zod';

/**
 * The connector contract. A connector knows one platform; the engine knows
 * none. Everything here is plain data plus a handful of verbs:
 * check, discover, read, load, lookup, write, remove (and optional reset,
 * precheck). Connectors never read environment variables and honour the
 * AbortSignal on every I/O call.
 */

/** Declares one kind of object a platform holds. */
export interface ObjectTypeSpec {
  /** Short machine name, also the step name: 'user', 'page', 'file'. */
  name: string;
  /** Human label for steps and progress bars: 'Users', 'Pages'. */
  label: string;
  /** How the same object is recognised on the target, in words: 'user name', 'page title'. */
  naturalKey: string;
  /** Types whose items must exist on the target before items of this type are written. */
  dependsOn: string[];
  /** Reference fields of this type's items and the type each one points at. */
  references: Record<string, string>;
  /** What is never carried, in words (shown in post-migration actions): ['password']. */
  neverCarried: string[];
  /** Whether `remove` can delete items of this type (undo); false: undo reports them instead. */
  deletable: boolean;
  /** How many items one `write` call may take. Default 1. */
  batchSize?: number;
  /** True for the type whose items are people: the plan's user mapping applies to it. */
  principal?: boolean;
}

/** A reference from one source item to another, resolved through the ID map. */
export interface ItemRef {
  type: string;
  sourceId: string;
}

/** The cheap, listable part of a source object, produced by `read`. */
export interface ItemHeader {
  type: string;
  /** Stable id on the source. */
  sourceId: string;
  /** Natural key: how the same object is found on the target. */
  key: string;
  /** Human readable name, matched by the plan's name patterns. */
  label: string;
  /** Namespace, space or post type: matched by the plan's namespace filters. */
  namespace?: string;
  /** ISO 8601, for "modified since" filters and delta runs. */
  modifiedAt?: string;
  /** Payload size in bytes when known (files), for size pre-checks. */
  sizeBytes?: number;
  /** Changes exactly when what the connector would carry changes. */
  hash: string;
}

/** A fully loaded source object, ready to write. */
export interface SourceItem<D = unknown> extends ItemHeader {
  refs: ItemRef[];
  data: D;
}

/** One page of `read` output; `cursor` resumes the listing after this page. */
export interface ReadPage {
  items: ItemHeader[];
  cursor?: string;
}

export interface Identity {
  platform: string;
  version: string;
  siteName: string;
  host: string;
  account: string;
  rights: string[];
  /**
   * Something of the instance itself that a rebuild at the same URL changes
   * (the first account's registration time...), so the engine can tell that
   * an ID map was written for another instance. Absent: the engine compares
   * platform and host only.
   */
  instanceId?: string;
  /** Anything else worth showing (server role, language...). */
  details?: Record<string, string | number | boolean>;
}

export interface TypeInventory {
  type: string;
  count: number;
  lastModified?: string;
}

/**
 * Objects the instance holds that this connector does not carry (a custom
 * post type, a block theme's templates, pingbacks). Reported by `discover`,
 * so a run names them in its result and post-migration actions instead of
 * leaving them behind silently.
 */
export interface NotCarried {
  /** Machine name of the kind: 'post-type:product', 'wp_template', 'pingback'. */
  kind: string;
  /** Human label: 'Products (custom post type)'. */
  label: string;
  count: number;
  /** Up to five names or titles, so a person can find them. */
  examples: string[];
  /** Why Ferry does not carry them, and what a person can do instead. */
  reason: string;
}

export interface Inventory {
  types: TypeInventory[];
  /** What the instance holds that the connector does not carry; empty or absent when nothing. */
  notCarried?: NotCarried[];
  /** Connector-specific facts the same connector's prechecks read (namespaces, limits...). */
  details: Record<string, unknown>;
}

/** Something a person must still do after the run. */
export interface PostAction {
  code: string;
  message: string;
  type?: string;
  sourceId?: string;
  label?: string;
  /**
   * The inspected fields (top-level names of `InspectedItem.fields`) of this
   * item that the action accounts for: what the target could not be given.
   * Verify reports their differences as named by an action, not as damage.
   */
  fields?: string[];
}

export interface Finding {
  level: 'error' | 'warning';
  code: string;
  message: string;
  hint?: string;
}

/** The target object an item already corresponds to. */
export interface TargetRef {
  targetId: string;
  /** Opaque version (latest revision id, modified date); undo compares it. */
  version?: string;
}

export type WriteMode =
  | 'create' // nothing on the target yet
  | 'update' // write over `existing`
  | 'rename'; // something else holds the natural key: create under a new one

export interface WriteRequest<D = unknown> {
  item: SourceItem<D>;
  mode: WriteMode;
  existing?: TargetRef;
  /** Target id of a referenced source item, or undefined when it was not migrated. */
  resolve(ref: ItemRef): string | undefined;
  /**
   * Set when an earlier attempt of this write ('create') was interrupted after
   * it may have reached the target: what this call finds there is the earlier
   * attempt's work, and the actions a create raises (a password to reset...)
   * are still owed. The engine counts the outcome as the first attempt's.
   */
  finishing?: WriteMode;
}

export interface WriteResult {
  targetId: string;
  /**
   * 'adopted': the write found the object already on the target (a duplicate
   * the platform refused, an account matched by e-mail) and took it over; the
   * ID map records it as adopted, so undo leaves it alone.
   */
  outcome: 'created' | 'updated' | 'unchanged' | 'adopted';
  version?: string;
  /** Items that went across but need a person's attention. */
  actions?: PostAction[];
  /**
   * References that did not resolve yet (a link to a post written later, a
   * reply written before its parent). After the last step the engine writes
   * the item again, mode 'update', once any of them resolves.
   */
  deferred?: ItemRef[];
  warnings?: string[];
}

/** Per item of a batch: a result, or the error that item met. */
export type WriteOutcome = { ok: true; result: WriteResult } | { ok: false; error: unknown };

export type RemoveResult = 'removed' | 'gone' | 'changed' | 'not_deletable';

export interface PrecheckContext {
  role: 'source' | 'target';
  /** The other side's inventory (the source's, when role is target). */
  otherInventory?: Inventory;
  /** Items selected by the plan, per type (headers only). */
  selectedTypes: string[];
  /** Largest selected item per type when the engine knows it (else use the other side's inventory). */
  largestItem: Record<string, ItemHeader | undefined>;
  /** False when the plan's filters leave out every item of `type` in `namespace`. */
  namespaceSelected?(type: string, namespace: string): boolean;
}

/**
 * One object as verify sees it, read afresh from an instance: the facts the
 * connector carries, in a form in which a source object and its migrated
 * copy are equal. Ids of other objects of the same instance (an author, a
 * parent, a link in content) are written as {@link refToken}s, which the
 * engine translates from source ids to target ids through the ID map before
 * it compares. Anything a target adds by itself (the import's null revision,
 * a modified date) is left out.
 *
 * @example
 * { id: '42', fields: { title: 'Hello', author: refToken('user', '7'), content: `<a href="${refToken('post', '9')}">` } }
 */
export interface InspectedItem {
  /** Id on the instance read: the source id on the source, the target id on the target. */
  id: string;
  /** Compared field by field (deep, as JSON). Arrays keep their order: sort where order is not carried. */
  fields: Record<string, unknown>;
}

const REF_OPEN = '\u27e6';
const REF_CLOSE = '\u27e7';

/**
 * A reference to another object of the same instance inside an inspected
 * field: `⟦type:id⟧`. The engine rewrites source tokens to target tokens.
 *
 * @example
 * refToken('user', '7') // '⟦user:7⟧'
 */
export function refToken(type: string, id: string): string {
  return `${REF_OPEN}${type}:${id}${REF_CLOSE}`;
}

/** Matches every {@link refToken} in a string: groups 1 (type) and 2 (id). */
export const REF_TOKEN_PATTERN = new RegExp(`${REF_OPEN}([^:${REF_CLOSE}]+):([^${REF_CLOSE}]*)${REF_CLOSE}`, 'g');

export interface CallOptions {
  signal: AbortSignal;
}

/** An open connection to one instance. */
export interface Session {
  check(options: CallOptions): Promise<Identity>;
  discover(options: CallOptions): Promise<Inventory>;
  /** Lists a type's objects page by page, resuming after `cursor`. */
  read(type: string, options: CallOptions & { cursor?: string }): AsyncIterable<ReadPage>;
  /** Loads the full payload of listed items (same order). */
  load(headers: ItemHeader[], options: CallOptions): Promise<SourceItem[]>;
  /** Finds objects on this instance by natural key. Missing keys are absent from the map. */
  lookup(type: string, keys: string[], options: CallOptions): Promise<Map<string, TargetRef>>;
  /** Writes a batch (at most the type's batchSize). Idempotent: writing twice changes nothing. */
  write(type: string, requests: WriteRequest[], options: CallOptions): Promise<WriteOutcome[]>;
  /** Deletes what Ferry created, unless its version moved on ('changed'). Already gone is success. */
  remove(type: string, target: TargetRef, options: CallOptions): Promise<RemoveResult>;
  /**
   * Makes sure a principal (user) named `name` exists, creating it if needed:
   * the placeholder that unmatched authors are credited to.
   */
  ensurePrincipal?(type: string, name: string, options: CallOptions): Promise<TargetRef>;
  /** Empties the instance except the account Ferry uses. */
  reset?(options: CallOptions & { onProgress?: (done: number) => void }): Promise<{ removed: number }>;
  /**
   * Reads objects afresh for verify (see {@link InspectedItem}); ids that no
   * longer exist are absent from the map. Without it, verify checks only
   * that each migrated object still exists (through `lookup`).
   */
  inspect?(type: string, ids: string[], options: CallOptions): Promise<Map<string, InspectedItem>>;
  /** Platform-specific pre-migration checks. */
  precheck?(context: PrecheckContext, options: CallOptions): Promise<Finding[]>;
  close(): Promise<void>;
}

export interface ConnectorContext {
  /** Structured logger; messages must not contain secrets. */
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  /** Tool name and version for user agents and import summaries. */
  userAgent: string;
  /** A private scratch folder (downloads on their way to the target); the engine empties it after a run. */
  tempDir: string;
}

/**
 * A connector: a platform's config schema, its object types, and a way to
 * open sessions.
 *
 * @example
 * export const mediawiki: Connector<MediaWikiConfig> = {
 *   platform: 'mediawiki',
 *   configSchema: mediaWikiConfigSchema,
 *   secretFields: ['password'],
 *   objectTypes: [userType, pageType, fileType],
 *   open: async (config, context) => new MediaWikiSession(config, context),
 * };
 */
export interface Connector<C = unknown> {
  platform: string;
  /** Human name: 'MediaWiki'. */
  title: string;
  configSchema: z.ZodType<C>;
  /** Config fields that are secrets: encrypted at rest, never logged, never returned. */
  secretFields: string[];
  objectTypes: ObjectTypeSpec[];
  open(config: C, context: ConnectorContext): Promise<Session>;
}
