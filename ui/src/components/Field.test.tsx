import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';

import { FieldTable } from '../forms';
import { DateField, TextField, type TextFieldProps } from './Field';

function Controlled(props: Omit<TextFieldProps, 'value' | 'onChange'> & { initial?: string; date?: boolean }) {
  const [value, setValue] = useState(props.initial ?? '');
  const Component = props.date ? DateField : TextField;
  return <Component {...props} value={value} onChange={setValue} />;
}

describe('TextField', () => {
  it('labels its input, types through onChange and points at its hint', async () => {
    render(<Controlled id="partner-contact" field="contact" label="Contact" hint="Optional" />);
    const input = screen.getByLabelText('Contact');
    expect(input).toHaveAttribute('data-testid', 'partner-contact');
    expect(input).toHaveAttribute('autocomplete', 'off');
    expect(input).toHaveAccessibleDescription('Optional');
    await userEvent.type(input, 'Ada');
    expect(input).toHaveValue('Ada');
    expect(input).not.toHaveAttribute('aria-invalid');
  });

  it('shows an error instead of the hint, under the backend’s field name', () => {
    render(<Controlled id="deal-title" field="title" label="Title" hint="A hint" error="Give the deal a title." />);
    const input = screen.getByLabelText('Title');
    expect(input).toHaveAttribute('aria-invalid', 'true');
    expect(input).toHaveAccessibleDescription('Give the deal a title.');
    expect(screen.getByTestId('error-title')).toHaveTextContent('Give the deal a title.');
    expect(screen.queryByText('A hint')).not.toBeInTheDocument();
  });

  it('stops showing an error once the value it was about is changed', async () => {
    render(<Controlled id="deal-title" field="title" label="Title" initial="x" error="Too short." />);
    expect(screen.getByTestId('error-title')).toHaveTextContent('Too short.');
    await userEvent.type(screen.getByLabelText('Title'), 'y');
    expect(screen.queryByTestId('error-title')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Title')).not.toHaveAttribute('aria-invalid');
  });

  it('renders a textarea, a unit and a button beside the input when asked', () => {
    const { rerender } = render(<Controlled id="n" field="notes" label="Notes" rows={3} />);
    expect(screen.getByLabelText('Notes').tagName).toBe('TEXTAREA');
    rerender(<Controlled id="r" field="retention_days" label="Retention" type="number" suffix="days" action={<button type="button">Browse…</button>} />);
    const input = screen.getByLabelText('Retention');
    expect(input).toHaveAttribute('type', 'number');
    expect(input.parentElement).toHaveTextContent('days');
    expect(screen.getByRole('button', { name: 'Browse…' })).toBeInTheDocument();
  });
});

describe('DateField', () => {
  it('asks for YYYY-MM-DD with a numeric keyboard', () => {
    render(<Controlled id="deal-start" field="start_date" label="Start date" date />);
    const input = screen.getByLabelText('Start date');
    expect(input).toHaveAttribute('placeholder', 'YYYY-MM-DD');
    expect(input).toHaveAttribute('inputmode', 'numeric');
    expect(input).toHaveClass('input-date');
  });
});

describe('FieldTable', () => {
  const table = new FieldTable({
    name: { input: 'partner-name', label: 'Name' },
    country: { input: 'partner-country', label: 'Country' },
  });

  it('places errors about its fields inline and the rest in the banner', () => {
    const placed = table.place({
      code: 'invalid',
      message: 'm',
      fields: [
        { field: 'country', message: 'not a code' },
        { field: 'kind', message: 'unknown' },
      ],
    });
    expect(placed.inline).toEqual({ country: 'not a code' });
    expect(placed.banner?.message).toBe('kind: unknown');
  });

  it('focuses the first field with an error in the form’s order, not the errors’', () => {
    render(
      <form data-testid="form">
        <input id="partner-name" />
        <input id="partner-country" />
      </form>,
    );
    const form = screen.getByTestId('form') as HTMLFormElement;
    table.focusFirstError(form, { country: 'bad', name: 'missing' });
    expect(document.activeElement?.id).toBe('partner-name');
    table.focusFirstError(form, { country: 'bad' });
    expect(document.activeElement?.id).toBe('partner-country');
  });
});
