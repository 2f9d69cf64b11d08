//! An entity's audit trail (oldest first, as the core returns it).

import { useQuery } from '@tanstack/react-query';

import { useApp } from '../context';
import { call } from './client';
import { keys, type AuditedEntity } from './keys';

export function useAudit(entity: AuditedEntity, id: number) {
  const { backend } = useApp();
  return useQuery({
    queryKey: keys.audit.of(entity, id),
    queryFn: () => call(() => backend.listAudit({ entity, entity_id: id })),
  });
}
