import type { SystemDraft } from './system-model.js';

/** Step 4: the migration's options, in the seed's words where it has them. */
export function SystemOptionsForm({ draft, set, sourceUrl }: { draft: SystemDraft; set(patch: Partial<SystemDraft>): void; sourceUrl: string | undefined }) {
  return (
    <div className="form">
      <fieldset>
        <legend>Settings</legend>
        <label className="inline">
          <input type="radio" name="system-settings" checked={draft.settings === 'basic'} onChange={() => set({ settings: 'basic' })} /> Copy the basic settings only: the target keeps its own network, host names, mail and backup settings
        </label>
        <label className="inline">
          <input type="radio" name="system-settings" checked={draft.settings === 'swap'} onChange={() => set({ settings: 'swap' })} /> Swap configuration: exchange the site settings between the two systems
        </label>
      </fieldset>
      <label className="inline">
        <input type="checkbox" checked={draft.secretKeys} onChange={(e) => set({ secretKeys: e.target.checked })} /> Migrate the licence: carry the secret keys ({draft.platform === 'wordpress' ? 'salts and keys' : '$wgSecretKey, $wgUpgradeKey'}) to the target, so sessions and links signed by the source stay valid
      </label>
      <label className="inline">
        <input type="checkbox" checked={draft.logs} onChange={(e) => set({ logs: e.target.checked })} /> Copy user traffic logs (the web server's access logs and the platform's own logs)
      </label>
      <div className="field">
        <label htmlFor="system-new-url">New public URL of the target</label>
        <input id="system-new-url" value={draft.newUrl} placeholder="https://wiki.example.org" aria-describedby="system-new-url-help" onChange={(e) => set({ newUrl: e.target.value })} />
        <span className="help" id="system-new-url-help">
          Empty: the target keeps the URL it answers at now.{sourceUrl ? ` The source answers at ${sourceUrl}.` : ''}
        </span>
      </div>
      <div className="field">
        <label htmlFor="system-source-after">What the source is left in after the copy</label>
        <select id="system-source-after" value={draft.sourceAfter} onChange={(e) => set({ sourceAfter: e.target.value as SystemDraft['sourceAfter'] })}>
          <option value="maintenance">In maintenance (read-only, with a notice): nobody edits the old copy</option>
          <option value="read-only">Read-only</option>
          <option value="online">Online, as it was before</option>
        </select>
      </div>
      <div className="field">
        <label htmlFor="system-name">Name of this migration</label>
        <input id="system-name" value={draft.name} aria-describedby="system-name-help" onChange={(e) => set({ name: e.target.value })} />
        <span className="help" id="system-name-help">
          Letters, digits, space, dot, dash or underscore. A saved migration of the same name is replaced.
        </span>
      </div>
    </div>
  );
}
