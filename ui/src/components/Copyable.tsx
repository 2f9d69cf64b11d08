import { useState } from 'react';

/** Monospace text that selects whole on click, with a button that copies it. */
export function Copyable({
  text,
  testId,
  label,
  block = false,
}: {
  text: string;
  testId?: string;
  label?: string;
  /** Keeps the text's line breaks (a PEM key). */
  block?: boolean;
}) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard access (e.g. a browser without permission): the text stays selectable.
    }
  };
  return (
    <span className="copyable">
      <code className={block ? 'hash hash-block' : 'hash'} data-testid={testId}>
        {text}
      </code>
      <button type="button" className="copy-button" onClick={copy} aria-label={`Copy ${label ?? 'to the clipboard'}`}>
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}
