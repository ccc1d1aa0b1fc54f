import { useEffect, useState } from 'react';
import { api, ApiFailure } from '../api.js';

/** The run's readable log file (GET /api/runs/:id/log); a warning when the file is gone from disk. */
export function LogViewer({ runId, version }: { runId: number; version: string }) {
  const [text, setText] = useState<string>();
  const [problem, setProblem] = useState<{ gone: boolean; text: string }>();
  const load = async () => {
    try {
      setText(await api.get<string>(`/api/runs/${runId}/log`));
      setProblem(undefined);
    } catch (e) {
      setProblem({ gone: e instanceof ApiFailure && e.status === 404, text: e instanceof ApiFailure ? e.describe() : String(e) });
    }
  };
  useEffect(() => {
    void load();
    // `version` changes when the run ends: the log is then complete.
  }, [runId, version]); // load reads only runId
  return (
    <>
      <div className="toolbar">
        <button type="button" onClick={() => void load()}>
          Reload the log
        </button>
        <a href={`/api/runs/${runId}/log`} target="_blank" rel="noreferrer">
          Open the log file in a new tab
        </a>
      </div>
      {problem && (
        <p role="alert" className={problem.gone ? 'warning' : 'error'}>
          {problem.text}
        </p>
      )}
      {text !== undefined && (
        <pre className="log" tabIndex={0} aria-label={`Log of run ${runId}`}>
          {text || '(empty)'}
        </pre>
      )}
    </>
  );
}
