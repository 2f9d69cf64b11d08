//! Shared by the forms: where an error from the backend is shown, and each form's table
//! of fields. Errors about a field the form has go under that field; everything else goes
//! to the global banner.

import { useState } from 'react';

import type { ErrorBody } from './bindings';
import { toErrorBody } from './backend';

export type FieldErrors = Partial<Record<string, string>>;

/**
 * A form's text values and the errors under its fields. `set(field)` is a field's
 * onChange: it takes the new text and clears the field's error (the message was about
 * what the field held; the user is changing it).
 */
export function useFormValues<V extends Record<string, string>>(initial: V | (() => V)) {
  const [values, setValues] = useState<V>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const set = (field: keyof V & string) => (v: string) => {
    setValues((old) => ({ ...old, [field]: v }));
    setErrors((old) => ({ ...old, [field]: undefined }));
  };
  return { values, setValues, errors, setErrors, set };
}

export interface PlacedErrors {
  /** Messages to show under the form's own fields. */
  inline: FieldErrors;
  /** What the banner must show, or null when everything went inline. */
  banner: ErrorBody | null;
}

export function placeErrors(error: unknown, formFields: readonly string[]): PlacedErrors {
  const body = toErrorBody(error);
  const inline: FieldErrors = {};
  const elsewhere = body.fields.filter((f) => !formFields.includes(f.field));
  for (const f of body.fields) {
    if (formFields.includes(f.field) && inline[f.field] === undefined) inline[f.field] = f.message;
  }
  if (body.fields.length === 0) return { inline, banner: body };
  if (elsewhere.length > 0) {
    return {
      inline,
      banner: {
        ...body,
        message: elsewhere.map((f) => `${f.field}: ${f.message}`).join('; '),
        fields: elsewhere,
      },
    };
  }
  return { inline, banner: null };
}

/** The first field with an error, in the form's order, for moving the focus there. */
export function firstErrorField(errors: FieldErrors, order: readonly string[]): string | null {
  return order.find((f) => errors[f] !== undefined) ?? null;
}

/** What a form knows about one of its fields: the input that edits it, and its label. */
export interface FieldInfo {
  /** The id (and test id) of the input, or of the first checkbox of a group. */
  input: string;
  label: string;
}

/**
 * A form's fields, keyed by the backend's field name, in the order the form shows them:
 * the one list from which the form takes its error placement, its focus order and its
 * inputs' ids and labels.
 */
export class FieldTable<K extends string> {
  readonly names: readonly K[];

  constructor(readonly fields: Readonly<Record<K, FieldInfo>>) {
    this.names = Object.keys(fields) as K[];
  }

  /** Splits a failure between this form's fields and the banner. */
  place(error: unknown): PlacedErrors {
    return placeErrors(error, this.names);
  }

  /** Focuses the input of the first field, in form order, that has an error. */
  focusFirstError(form: HTMLFormElement | null, errors: FieldErrors): void {
    const field = firstErrorField(errors, this.names) as K | null;
    if (field) form?.querySelector<HTMLElement>(`#${this.fields[field].input}`)?.focus();
  }

  /**
   * A dialog's failed submit: each field's error under it, the first one focused; what
   * names no field of the dialog goes to the banner and closes the dialog, since its
   * fix is not in it.
   */
  showFailure(
    error: unknown,
    form: HTMLFormElement | null,
    dialog: { setErrors: (errors: FieldErrors) => void; reportError: (error: unknown) => void; close: () => void },
  ): void {
    const placed = this.place(error);
    dialog.setErrors(placed.inline);
    this.focusFirstError(form, placed.inline);
    if (placed.banner) {
      dialog.reportError(placed.banner);
      dialog.close();
    }
  }
}
