import type { HostDraft, SideDraft } from './system-model.js';

/** One installation's place: this machine or SSH (host, port, user, key, host key fingerprint), and its config file. */
export function SystemSideForm({ side, legend, value, onChange, configHelp }: { side: 'source' | 'target'; legend: string; value: SideDraft; onChange(v: SideDraft): void; configHelp: string }) {
  const setHost = (patch: Partial<HostDraft>) => onChange({ ...value, host: { ...value.host, ...patch } });
  const id = (f: string) => `system-${side}-${f}`;
  return (
    <fieldset>
      <legend>{legend}</legend>
      <fieldset>
        <legend>Host</legend>
        <label className="inline">
          <input type="radio" name={id('host')} checked={value.host.kind === 'local'} onChange={() => setHost({ kind: 'local' })} /> This machine (the one running Ferry)
        </label>
        <label className="inline">
          <input type="radio" name={id('host')} checked={value.host.kind === 'ssh'} onChange={() => setHost({ kind: 'ssh' })} /> Another machine, over SSH
        </label>
      </fieldset>
      {value.host.kind === 'ssh' && (
        <>
          <div className="field">
            <label htmlFor={id('ssh-host')}>SSH host (name or IP address)</label>
            <input id={id('ssh-host')} value={value.host.host} onChange={(e) => setHost({ host: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={id('ssh-port')}>SSH port</label>
            <input id={id('ssh-port')} inputMode="numeric" value={value.host.port} onChange={(e) => setHost({ port: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={id('ssh-user')}>SSH user</label>
            <input id={id('ssh-user')} value={value.host.user} onChange={(e) => setHost({ user: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={id('ssh-key')}>Private key file (a path on the machine running Ferry)</label>
            <input id={id('ssh-key')} value={value.host.key} placeholder="/home/ferry/.ssh/id_ed25519" onChange={(e) => setHost({ key: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor={id('ssh-hostkey')}>Host key fingerprint</label>
            <input id={id('ssh-hostkey')} value={value.host.hostKey} placeholder="SHA256:…" aria-describedby={id('ssh-hostkey-help')} onChange={(e) => setHost({ hostKey: e.target.value })} />
            <span className="help" id={id('ssh-hostkey-help')}>
              As <code>ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub</code> prints it on that machine; empty: checked against ~/.ssh/known_hosts.
            </span>
          </div>
        </>
      )}
      <div className="field">
        <label htmlFor={id('config')}>Config file</label>
        <input id={id('config')} value={value.configFile} aria-describedby={id('config-help')} onChange={(e) => onChange({ ...value, configFile: e.target.value })} />
        <span className="help" id={id('config-help')}>
          {configHelp}
        </span>
      </div>
      <details>
        <summary>More ({side}): work folder, code folder, environment</summary>
        <div className="field">
          <label htmlFor={id('work')}>Folder on that host for Ferry's copy state{side === 'target' ? ' and the snapshot of the target (the way back)' : ''}</label>
          <input id={id('work')} value={value.workDir} placeholder="/var/tmp/ferry-system" onChange={(e) => onChange({ ...value, workDir: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={id('code')}>Code folder, when it is not next to the config file</label>
          <input id={id('code')} value={value.codeDir} placeholder="/usr/share/wordpress" onChange={(e) => onChange({ ...value, codeDir: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor={id('env')}>Environment PHP needs to pick this installation (NAME=value, one a line)</label>
          <textarea id={id('env')} rows={2} value={value.env} onChange={(e) => onChange({ ...value, env: e.target.value })} />
        </div>
      </details>
    </fieldset>
  );
}
