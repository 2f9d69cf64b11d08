import type { ErrorBody } from '../bindings';

const TITLES: Record<ErrorBody['code'], string> = {
  invalid: 'That was not accepted',
  not_found: 'Not found',
  conflict: 'That clashes with what is stored',
  illegal_transition: 'That move is not allowed',
  schema_too_new: 'This store was written by a newer Consentry',
  store: 'The store could not be read or written',
  io: 'A file could not be read or written',
  cancelled: 'Cancelled',
  unreachable: 'The destination did not answer',
};

export function ErrorBanner({ error, onDismiss }: { error: ErrorBody; onDismiss: () => void }) {
  return (
    <div className="error-banner" role="alert" data-testid="error-banner">
      <div className="error-banner-text">
        <strong>{TITLES[error.code]}.</strong> <span>{error.message}</span>
      </div>
      <button
        type="button"
        className="icon-button"
        aria-label="Dismiss"
        data-testid="error-banner-dismiss"
        onClick={onDismiss}
      >
        ×
      </button>
    </div>
  );
}
