import { useEffect, useRef } from 'react';

interface Props {
  name: string | undefined;
  busy: boolean;
  error: string | undefined;
  onConfirm(): void;
  onClose(): void;
}

/** Asks before removing a connection, in a modal dialog that takes the focus (Escape cancels). */
export function RemoveConnectionDialog({ name, busy, error, onConfirm, onClose }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  const keep = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (name && !dialog.open) {
      dialog.showModal();
      // The safe answer takes the focus: Enter keeps the connection.
      keep.current?.focus();
    }
    if (!name && dialog.open) dialog.close();
  }, [name]);
  return (
    <dialog ref={ref} aria-labelledby="remove-connection-title" onClose={onClose}>
      <h2 id="remove-connection-title">Remove the connection "{name}"?</h2>
      <p>Ferry forgets its settings and secret. Its ID maps stay, for when it is added again. A connection that a migration uses cannot be removed.</p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      <div className="toolbar">
        <button type="button" className="danger" disabled={busy} onClick={onConfirm}>
          Remove {name}
        </button>
        <button type="button" ref={keep} onClick={onClose}>
          Keep it
        </button>
      </div>
    </dialog>
  );
}
