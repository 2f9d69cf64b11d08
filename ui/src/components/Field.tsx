import type { ReactNode } from 'react';

interface FieldProps {
  /** The input's id (also its test id). */
  id: string;
  /** The backend's name for the field, used for the error's test id. */
  field: string;
  label: string;
  error?: string;
  hint?: ReactNode;
  children: ReactNode;
  className?: string;
}

/** A labelled input with its hint and, when there is one, its error underneath. */
export function Field({ id, field, label, error, hint, children, className }: FieldProps) {
  return (
    <div className={`field ${error ? 'field-invalid' : ''} ${className ?? ''}`}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {children}
      {hint && !error && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      <FieldErrorText id={id} field={field} error={error} />
    </div>
  );
}

export function FieldErrorText({ id, field, error }: { id: string; field: string; error?: string }) {
  if (!error) return null;
  return (
    <p className="field-error" id={`${id}-error`} data-testid={`error-${field}`}>
      {error}
    </p>
  );
}

/** The accessibility attributes an input needs to point at its hint or error. */
export function describedBy(id: string, error: string | undefined, hasHint = false) {
  return {
    id,
    'data-testid': id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': error ? `${id}-error` : hasHint ? `${id}-hint` : undefined,
  } as const;
}
