import type { ConsentOverview, GateOverview, ImportSummary } from '../bindings';
import { BarChart, BarColumn, ROW, StackedBar } from '../components/BarChart';
import { Count } from '../components/Count';
import { displayInstant } from '../domain/dates';
import { PURPOSES } from '../domain/purpose';
import { formatCount, formatShare } from '../domain/units';
import { useConsentOverview, usePolicy } from '../queries/consent';
import { baseName, ImportCard } from './ImportCard';
import { PolicyCard } from './PolicyCard';

const STATUSES = [
  { token: 'active', label: 'Active', tone: 'good' },
  { token: 'suspended', label: 'Suspended', tone: 'warn' },
  { token: 'deleted', label: 'Deleted', tone: 'neutral' },
] as const;

/** The registry, the consent ledger and the opt-in policy: what decides who may be licensed. */
export function Consent() {
  const overview = useConsentOverview();
  const policy = usePolicy();

  const o = overview.data;
  return (
    <section className="screen" aria-labelledby="consent-title">
      <header className="screen-header">
        <div>
          <h1 id="consent-title">Consent</h1>
          <p className="screen-subtitle">
            The user registry, users’ consent decisions and the opt-in policy decide whose posts a snapshot includes.
          </p>
        </div>
      </header>

      <div className="two-columns">
        <ImportCard
          kind="registry"
          title="User registry"
          columns="user_id, country, birth_date, status"
        />
        <ImportCard
          kind="ledger"
          title="Consent ledger"
          columns="user_id, purpose, decision, effective_at, source"
        />
      </div>

      {overview.error && !o && (
        <p className="notice" role="alert">
          The overview could not be loaded: {overview.error.message}
        </p>
      )}
      {!o && !overview.error && <p className="loading">Loading…</p>}
      {o && (
        <>
          <OverviewCard overview={o} />
          {o.gate && <GateCard gate={o.gate} />}
          {policy.data && <PolicyCard key={policy.data.version} policy={policy.data} />}
          <RecentImports imports={o.imports} />
        </>
      )}
    </section>
  );
}

function OverviewCard({ overview: o }: { overview: ConsentOverview }) {
  const empty = o.users === 0 && o.events === 0;
  return (
    <section className="card" data-testid="consent-overview" aria-labelledby="overview-title">
      <h2 id="overview-title" className="card-title">
        Overview <span className="card-title-note">as of now</span>
      </h2>
      {empty && (
        <p className="muted" data-testid="consent-empty">
          Nothing imported yet. Import the user registry and the consent ledger above.
        </p>
      )}
      {!empty && (
        <div className="overview-grid">
          <div className="overview-block">
            <div className="big-numbers">
              <div>
                <Count className="big-number" value={o.users} testId="overview-users" />
                <span className="big-label">users</span>
              </div>
              <div>
                <Count className="big-number" value={o.events} testId="overview-events" />
                <span className="big-label">consent events</span>
              </div>
            </div>
            <h3 className="block-title">By account status</h3>
            <BarChart
              testId="overview-status"
              max={o.users}
              groups={[
                STATUSES.map((s) => ({
                  key: s.token,
                  label: s.label,
                  value: o.by_status[s.token] ?? 0,
                  tone: s.tone,
                  testId: `status-${s.token}`,
                  note: formatShare(o.by_status[s.token] ?? 0, o.users),
                })),
              ]}
            />
            <h3 className="block-title">By regime</h3>
            <StackedBar
              label={`${o.opt_in_regime} users in opt-in countries, ${o.opt_out_regime} elsewhere`}
              testIdPrefix="regime-"
              segments={[
                { key: 'opt-in', label: 'Opt-in countries', value: o.opt_in_regime, tone: 'accent' },
                { key: 'opt-out', label: 'Elsewhere', value: o.opt_out_regime, tone: 'neutral' },
              ]}
            />
            <p className="block-note">Opt-in: consent needed. Elsewhere: included unless denied.</p>
          </div>
          <div className="overview-block">
            <h3 className="block-title">Latest decision per purpose</h3>
            <DecisionChart overview={o} />
            <p className="block-note">
              Users whose latest decision for the purpose itself is deny or allow. A deny on a broader purpose also
              excludes; users with no decision follow their country’s regime.
            </p>
          </div>
        </div>
      )}
    </section>
  );
}

/**
 * Per purpose, how many users' latest decision is deny and how many allow: two bar
 * columns on one scale, the counts as text beside each.
 */
function DecisionChart({ overview: o }: { overview: ConsentOverview }) {
  const rows = PURPOSES.map((p) => ({ ...p, deny: o.denied[p.token] ?? 0, allow: o.allowed[p.token] ?? 0 }));
  const max = Math.max(1, ...rows.map((r) => Math.max(r.deny, r.allow)));
  const span = `2 / span ${rows.length}`;
  return (
    <div
      className="decision-chart"
      data-testid="overview-decisions"
      style={{ gridTemplateRows: `auto repeat(${rows.length}, ${ROW}px)` }}
    >
      <span className="decision-head decision-gap" style={{ gridColumn: '2 / span 2' }} aria-hidden="true">
        Deny
      </span>
      <span className="decision-head decision-gap" style={{ gridColumn: '4 / span 2' }} aria-hidden="true">
        Allow
      </span>
      <BarColumn
        max={max}
        className="decision-gap"
        testId="decisions-deny"
        style={{ gridColumn: 2, gridRow: span }}
        bars={rows.map((r) => ({ key: r.token, value: r.deny, tone: 'bad', title: `${r.label}: ${formatCount(r.deny)} deny` }))}
      />
      <BarColumn
        max={max}
        className="decision-gap"
        testId="decisions-allow"
        style={{ gridColumn: 4, gridRow: span }}
        bars={rows.map((r) => ({ key: r.token, value: r.allow, tone: 'good', title: `${r.label}: ${formatCount(r.allow)} allow` }))}
      />
      {rows.map((r, i) => (
        <Row key={r.token} row={i + 2} label={r.label} token={r.token} deny={r.deny} allow={r.allow} />
      ))}
    </div>
  );
}

function Row({ row, label, token, deny, allow }: { row: number; label: string; token: string; deny: number; allow: number }) {
  return (
    <>
      <span className="bar-label" title={token} style={{ gridRow: row, gridColumn: 1 }}>
        {label}
      </span>
      <span className="bar-value" aria-label={`${label}: ${deny} deny`} style={{ gridRow: row, gridColumn: 3 }}>
        <Count value={deny} testId={`optout-${token}`} />
      </span>
      <span className="bar-value" aria-label={`${label}: ${allow} allow`} style={{ gridRow: row, gridColumn: 5 }}>
        <Count value={allow} testId={`optin-${token}`} />
      </span>
    </>
  );
}

/** What the opt-out gate holds back: "no default consent before users could say no". */
function GateCard({ gate }: { gate: GateOverview }) {
  const today = new Date().toISOString().slice(0, 10);
  const appliesFrom = gate.default_applies_from;
  const over = appliesFrom !== null && today >= appliesFrom;
  return (
    <section className="card" data-testid="consent-gate" aria-labelledby="gate-title">
      <h2 id="gate-title" className="card-title">
        Opt-out gate{' '}
        <span className="card-title-note" data-testid="gate-status">
          {over ? 'notice period over' : 'notice period running'}
        </span>
      </h2>
      <p className="card-intro">
        Sharing began before users could opt out, so the opt-out countries’ default includes nobody before the notice
        period is over, and afterwards only records created from the opt-out date.
      </p>
      <div className="overview-grid">
        <div className="overview-block">
          <dl className="terms terms-compact">
            <dt>Users could opt out from</dt>
            <dd data-testid="gate-from">{gate.opt_out_available_from}</dd>
            <dt>Notice</dt>
            <dd>
              {gate.notice_days} {gate.notice_days === 1 ? 'day' : 'days'}
            </dd>
            <dt>Default applies from</dt>
            <dd data-testid="gate-applies-from">
              {appliesFrom ?? 'never'}
              <span className="muted">
                {' '}
                · {over ? 'the notice period is over' : 'the notice period is still running'}
              </span>
            </dd>
            <dt>Records held back</dt>
            <dd>
              <Count value={gate.records_held_back} testId="gate-records-held-back" />{' '}
              <span className="muted">in sealed snapshots</span>
            </dd>
          </dl>
        </div>
        <div className="overview-block">
          <h3 className="block-title">Users held back per purpose</h3>
          <BarChart
            wide
            testId="gate-users"
            groups={[
              PURPOSES.map((p) => ({
                key: p.token,
                label: p.label,
                labelTitle: p.token,
                value: gate.users_held_back[p.token] ?? 0,
                tone: 'warn',
                testId: `held-back-${p.token}`,
              })),
            ]}
          />
          <p className="block-note">
            Users in opt-out countries whom only the default would include: no allow or deny on the purpose or a
            broader one.{' '}
            {over
              ? `Their records created before ${gate.opt_out_available_from} are held back.`
              : 'All their records are held back until the notice period is over.'}
          </p>
        </div>
      </div>
    </section>
  );
}

function RecentImports({ imports }: { imports: ImportSummary[] }) {
  return (
    <section className="card card-table" aria-labelledby="imports-title">
      <h2 id="imports-title" className="card-title">
        Recent imports
      </h2>
      {imports.length === 0 ? (
        <p className="muted">No imports yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" data-testid="recent-imports">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Kind</th>
                <th scope="col">File</th>
                <th scope="col" className="numeric">
                  Rows
                </th>
                <th scope="col" className="numeric">
                  Added
                </th>
                <th scope="col" className="numeric">
                  Changed
                </th>
                <th scope="col" className="numeric">
                  Skipped
                </th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {imports.map((i) => (
                <tr key={i.id} data-testid={`import-row-${i.id}`}>
                  <td className="nowrap">
                    <time dateTime={i.at} title={i.at}>
                      {displayInstant(i.at)}
                    </time>
                  </td>
                  <td>{i.kind === 'registry' ? 'Registry' : i.kind === 'ledger' ? 'Ledger' : i.kind}</td>
                  <td className="cell-truncate cell-path" title={i.file}>
                    {baseName(i.file)}
                  </td>
                  <td className="numeric">
                    <Count value={i.rows_read} />
                  </td>
                  <td className="numeric">
                    <Count value={i.added} />
                  </td>
                  <td className="numeric">
                    <Count value={i.changed} />
                  </td>
                  <td className="numeric">{i.skipped > 0 ? <Count value={i.skipped} /> : <span className="muted">0</span>}</td>
                  <td>
                    <span className="actor">{i.actor}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
