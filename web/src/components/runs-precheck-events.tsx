import { Empty, ErrorNote, useApi } from '../ui.js';
import type { EventRecord } from './runs-types.js';

/** The pre-migration check findings a run started with: its first events, step "pre-checks". */
export function PrecheckEvents({ runId, kind }: { runId: number; kind: string }) {
  const { data, error } = useApi<EventRecord[]>(`/api/runs/${runId}/events?afterId=0&limit=100`);
  if (kind !== 'run') return <p>Pre-migration checks run before a first run; a {kind} does not repeat them.</p>;
  if (error) return <ErrorNote error={error} />;
  if (!data) return null;
  const findings = data.filter((e) => e.step === 'pre-checks');
  if (findings.length === 0) return <Empty>No error and no warning when this run started (or it resumed an interrupted run, which does not repeat them).</Empty>;
  return (
    <ul>
      {findings.map((e) => (
        <li key={e.id} className={e.level === 'error' ? 'finding-error' : 'finding-warning'}>
          {e.message}
        </li>
      ))}
    </ul>
  );
}
