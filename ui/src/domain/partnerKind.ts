//! Partner kinds and how people read them.

import type { PartnerKind } from '../bindings';

export const PARTNER_KINDS: readonly { value: PartnerKind; label: string }[] = [
  { value: 'ai-lab', label: 'AI lab' },
  { value: 'search-engine', label: 'Search engine' },
  { value: 'research', label: 'Research' },
  { value: 'other', label: 'Other' },
];

export function kindLabel(kind: string): string {
  return PARTNER_KINDS.find((k) => k.value === kind)?.label ?? kind;
}
