/**
 * A whole number whose text is exactly its digits (what tests and assistive tools read),
 * shown with thin gaps between groups of three, e.g. 61 440. `formatCount` writes the
 * same grouping as text, for sentences.
 */
export function Count({ value, testId, className }: { value: number; testId?: string; className?: string }) {
  const digits = String(value);
  const groups: string[] = [];
  if (/^\d+$/.test(digits)) {
    for (let end = digits.length; end > 0; end -= 3) groups.unshift(digits.slice(Math.max(0, end - 3), end));
  } else {
    groups.push(digits);
  }
  return (
    <span className={className ? `count ${className}` : 'count'} data-testid={testId}>
      {groups.map((g, i) => (
        <span key={i} className={i > 0 ? 'count-group' : undefined}>
          {g}
        </span>
      ))}
    </span>
  );
}
