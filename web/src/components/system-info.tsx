import { formatBytes, type SystemInfo } from './system-model.js';

/** Step 3: the source as Ferry found it, for the admin to check it is the right one. Licence keys by name only. */
export function SystemInfoFacts({ info, label }: { info: SystemInfo; label: string }) {
  const rows: Array<[string, string]> = [
    ['Platform', `${info.platform === 'mediawiki' ? 'MediaWiki' : 'WordPress'} ${info.version}`],
    ['Host name', info.hostName],
    ['Domain', info.domain],
    ['IP address', info.addresses.join(', ') || '(none found)'],
    ['URL', info.url],
    ['Config file', info.configFile],
    ['Database', `${info.database.engine} "${info.database.name}", ${formatBytes(info.database.sizeBytes)}`],
    ['Uploads', `${info.uploadsDir}, ${formatBytes(info.uploadsBytes)}`],
    ['Licence keys', info.licenceKeys.length > 0 ? `${info.licenceKeys.join(', ')} present (values not shown)` : 'none set'],
    ['Server role', info.serverRole === 'replicated' ? 'Replicated database (high availability)' : 'Standalone'],
    ['Now', info.inMaintenance ? 'in maintenance (read-only)' : 'online'],
  ];
  return (
    <dl className="facts" aria-label={label}>
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The seed's notice: the high-availability warning with the concrete DNS changes, or "The system is a standalone type". */
export function ServerRoleNotice({ info }: { info: SystemInfo }) {
  if (info.serverRole === 'replicated') {
    return (
      <div className="warning" role="note">
        <p>
          <strong>The system is in high availability.</strong>
        </p>
        <p>{info.highAvailability}</p>
      </div>
    );
  }
  return <p className="notice">The system is a standalone type.</p>;
}
