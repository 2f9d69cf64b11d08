import type { Purpose } from '../bindings';
import { purposeInfo } from '../domain/purpose';

export function PurposeChips({ purposes }: { purposes: readonly Purpose[] }) {
  return (
    <span className="chips">
      {purposes.map((p) => (
        <span key={p} className="chip" title={`${purposeInfo(p).label} (${p})`}>
          {purposeInfo(p).short}
        </span>
      ))}
    </span>
  );
}
