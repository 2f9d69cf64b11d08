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

interface ErrorBannerProps {
  error: ErrorBody;
  /** Without it the banner stays: what it says holds until the user acts elsewhere. */
  onDismiss?: () => void;
  /** The title, when the error's kind says less than the screen knows. */
  title?: string;
  testId?: string;
}

export function ErrorBanner({ error, onDismiss, title, testId = 'error-banner' }: ErrorBannerProps) {
  return (
    <div className="error-banner" role="alert" data-testid={testId}>
      <div className="error-banner-text">
        <strong>{title ?? TITLES[error.code]}.</strong> <span>{error.message}</span>
      </div>
      {onDismiss && (
        <button
          type="button"
          className="icon-button"
          aria-label="Dismiss"
          data-testid={`${testId}-dismiss`}
          onClick={onDismiss}
        >
          ×
        </button>
      )}
    </div>
  );
}
