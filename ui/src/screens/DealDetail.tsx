import { useState } from 'react';

import type { Deal, DealStatus } from '../bindings';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { DealUnavailable } from '../components/DealUnavailable';
import { StatusBadge } from '../components/StatusBadge';
import { useApp } from '../context';
import { displayDate, termLength } from '../domain/dates';
import { canRenew, nextStatuses, termsOpen, transitionLabel } from '../domain/lifecycle';
import { kindLabel } from '../domain/partnerKind';
import { purposeInfo, vocabularyTokens } from '../domain/purpose';
import { useDealHistory } from '../queries/audit';
import { useDeal, useTransitionDeal } from '../queries/deals';
import { useDealFees } from '../queries/finance';
import { usePartners } from '../queries/partners';
import { AuditHistory } from './AuditHistory';
import { DealDeliveries } from './DealDeliveries';
import { DealFinance } from './DealFinance';
import { DealSnapshots } from './DealSnapshots';
import { DealWithdrawals } from './DealWithdrawals';
import { RenewDialog } from './RenewDialog';

export function DealDetail({ id }: { id: number }) {
  const { navigate, reportError, clearError } = useApp();
  const deal = useDeal(id);
  const audit = useDealHistory(id);
  const fees = useDealFees(id);
  const partners = usePartners().data;
  const transition = useTransitionDeal();
  const [confirming, setConfirming] = useState<DealStatus | null>(null);
  const [renewing, setRenewing] = useState(false);
  const moving = transition.isPending;

  const back = (
    <button type="button" className="back-link" data-testid="deal-back" onClick={() => navigate({ screen: 'deals' })}>
      ← Deals
    </button>
  );

  if (deal.error && !deal.data) return <DealUnavailable id={id} error={deal.error} back={back} />;
  if (!deal.data) return <p className="loading">Loading…</p>;
  const d: Deal = deal.data;

  const move = async (to: DealStatus) => {
    try {
      await transition.mutateAsync({ id: d.id, to });
      clearError();
    } catch (error) {
      reportError(error);
    } finally {
      setConfirming(null);
    }
  };

  const partner = partners?.find((p) => p.id === d.partner_id);
  const partnerLine = [d.partner_name, partner && kindLabel(partner.kind), partner?.country].filter(Boolean).join(' · ');
  const length = termLength(d.start_date, d.end_date);
  const open = termsOpen(d.status);
  const transitions = nextStatuses(d.status);

  return (
    <section className="screen" data-testid="deal-detail" aria-labelledby="deal-detail-title">
      {back}
      <header className="detail-header">
        <div className="detail-heading">
          <h1 id="deal-detail-title">{d.title}</h1>
          <StatusBadge status={d.status} testId="deal-detail-status" />
        </div>
        <p className="screen-subtitle">
          {partnerLine} · Deal #{d.id}
        </p>
      </header>

      <div className="actions" role="group" aria-label="Deal actions">
        {transitions.map((to) => (
          <button
            key={to}
            type="button"
            className={to === 'terminated' ? 'button button-danger-outline' : 'button button-primary'}
            data-testid={`transition-${to}`}
            disabled={moving}
            onClick={() => (to === 'terminated' || to === 'signed' ? setConfirming(to) : move(to))}
          >
            {transitionLabel(to)}
          </button>
        ))}
        {open && (
          <button
            type="button"
            className="button"
            data-testid="deal-edit"
            onClick={() => navigate({ screen: 'deal-edit', id: d.id })}
          >
            Edit terms
          </button>
        )}
        {canRenew(d) && (
          <button type="button" className="button" data-testid="deal-renew" onClick={() => setRenewing(true)}>
            Renew…
          </button>
        )}
      </div>
      {!open && d.status !== 'terminated' && (
        <p className="hint" data-testid="terms-frozen">
          Terms are frozen once signed; renew to change them.
        </p>
      )}
      {d.status === 'terminated' && <p className="hint">This deal was terminated; it can no longer change.</p>}

      <div className="detail-grid">
        <section className="card" aria-labelledby="terms-title">
          <h2 id="terms-title" className="card-title">
            Terms
          </h2>
          <dl className="terms">
            <dt>Partner</dt>
            <dd>{d.partner_name}</dd>
            <dt>Permitted purposes</dt>
            <dd>
              <ul className="purpose-list">
                {d.purposes.map((p) => (
                  <li key={p}>
                    <span>{purposeInfo(p).label}</span>
                    <code className="purpose-tokens purpose-tokens-block">{[p, ...vocabularyTokens(p)].join(' · ')}</code>
                  </li>
                ))}
              </ul>
            </dd>
            <dt>Term</dt>
            <dd>
              {displayDate(d.start_date)} – {displayDate(d.end_date)}
              {length && <span className="muted"> · {length}</span>}
            </dd>
            <dt>Territory</dt>
            <dd>{d.territory === 'WORLD' ? 'Worldwide (WORLD)' : d.territory.split(',').join(', ')}</dd>
            <dt>Retention</dt>
            <dd>{d.retention_days === null ? 'No limit set' : `${d.retention_days} days`}</dd>
            <dt>Withdrawal notices due</dt>
            <dd>{d.withdrawal_days} days after issue</dd>
            <dt>Exclusive</dt>
            <dd>{d.exclusive ? 'Yes' : 'No'}</dd>
            <dt>Attribution required</dt>
            <dd>{d.attribution_required ? 'Yes' : 'No'}</dd>
            <dt>Sublicensing allowed</dt>
            <dd>{d.sublicensing_allowed ? 'Yes' : 'No'}</dd>
            {d.notes !== '' && (
              <>
                <dt>Notes</dt>
                <dd className="notes">{d.notes}</dd>
              </>
            )}
            {d.renewed_from !== null && (
              <>
                <dt>Renews</dt>
                <dd>
                  <button
                    type="button"
                    className="link-button"
                    data-testid="deal-renewed-from"
                    onClick={() => navigate({ screen: 'deal', id: d.renewed_from as number })}
                  >
                    Renews deal #{d.renewed_from}
                  </button>
                </dd>
              </>
            )}
            {d.renewed_by !== null && (
              <>
                <dt>Renewal</dt>
                <dd>
                  <button
                    type="button"
                    className="link-button"
                    data-testid="deal-renewed-by"
                    onClick={() => navigate({ screen: 'deal', id: d.renewed_by as number })}
                  >
                    Renewed by deal #{d.renewed_by}
                  </button>
                </dd>
              </>
            )}
          </dl>
        </section>
        <AuditHistory entries={audit.data} error={audit.error} currency={fees.data?.currency ?? null} />
      </div>

      <DealFinance deal={d} />
      <DealSnapshots deal={d} />
      <DealDeliveries deal={d} />
      <DealWithdrawals deal={d} />

      {confirming === 'terminated' && (
        <ConfirmDialog
          title="Terminate this deal?"
          confirmLabel="Terminate deal"
          danger
          onConfirm={() => move('terminated')}
          onCancel={() => setConfirming(null)}
        >
          <p>
            “{d.title}” will end now. A terminated deal is final: it cannot be reopened, edited or
            renewed.
          </p>
        </ConfirmDialog>
      )}
      {confirming === 'signed' && (
        <ConfirmDialog
          title="Mark this deal signed?"
          confirmLabel="Mark signed"
          onConfirm={() => move('signed')}
          onCancel={() => setConfirming(null)}
        >
          <p>
            Signing freezes “{d.title}”: its terms and its fee schedule can no longer be edited (a renewal starts from a
            copy), and from now on it can be delivered to and invoiced. This cannot be undone.
          </p>
        </ConfirmDialog>
      )}
      {renewing && (
        <RenewDialog
          deal={d}
          onClose={() => setRenewing(false)}
          onRenewed={(renewal) => {
            setRenewing(false);
            navigate({ screen: 'deal', id: renewal.id });
          }}
        />
      )}
    </section>
  );
}
