//! Form fields: a label, the control, a hint and, when there is one, the error under it
//! (`data-testid="error-<field>"`, the backend's field name). `TextField` and `DateField`
//! are the inputs the forms repeat; `Field` wraps any other control (a select, a
//! checkbox group).

import { useState, type HTMLAttributes, type ReactNode } from 'react';

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

export interface TextFieldProps {
  id: string;
  field: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: ReactNode;
  /** Classes of the field (e.g. `field-grow`). */
  className?: string;
  /** Classes of the input (e.g. `input-short`, `input-instant`). */
  inputClassName?: string;
  type?: 'text' | 'number';
  /** A textarea of this many rows instead of a one-line input. */
  rows?: number;
  placeholder?: string;
  inputMode?: HTMLAttributes<HTMLInputElement>['inputMode'];
  /** Paths, ids and codes: no spelling marks. */
  code?: boolean;
  /** The id of a datalist of suggestions. */
  list?: string;
  maxLength?: number;
  min?: number;
  max?: number;
  step?: number | 'any';
  disabled?: boolean;
  /** A unit shown after the input ("days", "MiB"). */
  suffix?: string;
  /** A control beside the input, such as a Browse… button. */
  action?: ReactNode;
}

/**
 * The error to show for a field: `error` while the field still holds what it held when
 * the error came, nothing once the user changed it (the message was about the old
 * value; the next save checks the new one). A new error is shown again.
 */
export function useCurrentError(error: string | undefined, value: string): string | undefined {
  const [seen, setSeen] = useState({ error, value });
  if (seen.error !== error) {
    // A new (or cleared) error: remember what the field held when it came.
    setSeen({ error, value });
    return error;
  }
  return value === seen.value ? error : undefined;
}

/** A labelled text (or number) input or textarea, with its hint or error. */
export function TextField(props: TextFieldProps) {
  const { id, field, label, value, onChange, hint, className, rows, suffix, action } = props;
  const error = useCurrentError(props.error, value);
  const common = {
    ...describedBy(id, error, hint !== undefined),
    className: props.inputClassName,
    value,
    disabled: props.disabled,
    placeholder: props.placeholder,
    autoComplete: 'off',
    spellCheck: props.code ? false : undefined,
  };
  let control: ReactNode =
    rows !== undefined ? (
      <textarea {...common} rows={rows} onChange={(e) => onChange(e.target.value)} />
    ) : (
      <input
        {...common}
        type={props.type ?? 'text'}
        inputMode={props.inputMode}
        list={props.list}
        maxLength={props.maxLength}
        min={props.min}
        max={props.max}
        step={props.step}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  if (suffix !== undefined) {
    control = (
      <span className="input-suffix">
        {control}
        <span aria-hidden="true">{suffix}</span>
      </span>
    );
  }
  if (action !== undefined) {
    control = (
      <div className="path-input">
        {control}
        {action}
      </div>
    );
  }
  return (
    <Field id={id} field={field} label={label} error={error} hint={hint} className={className}>
      {control}
    </Field>
  );
}

export type DateFieldProps = Omit<TextFieldProps, 'type' | 'rows' | 'inputMode' | 'placeholder' | 'inputClassName'>;

/** A day as YYYY-MM-DD, typed (WebDriver and keyboards fill it like any text field). */
export function DateField(props: DateFieldProps) {
  return <TextField {...props} inputMode="numeric" placeholder="YYYY-MM-DD" inputClassName="input-date" />;
}
