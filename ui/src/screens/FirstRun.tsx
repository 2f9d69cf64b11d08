import { useApp } from '../context';

/** The welcome shown while the store holds no partners and no deals. */
export function FirstRun() {
  const { openPartnerForm } = useApp();
  return (
    <section className="first-run" data-testid="first-run" aria-labelledby="first-run-title">
      <svg className="first-run-mark" viewBox="0 0 24 24" aria-hidden="true">
        <rect width="24" height="24" rx="6" />
        <path d="M7 12.5l3.2 3.2L17 8.8" />
      </svg>
      <h1 id="first-run-title">Welcome to Consentry</h1>
      <p>
        Consentry keeps your data-licensing deals with AI companies in one place, and makes sure
        every dataset you deliver contains only the posts whose authors consented to each purpose a
        deal permits.
      </p>
      <p>Start by adding the first partner you license data to; you can then record a deal with them.</p>
      <button
        type="button"
        className="button button-primary button-large"
        data-testid="first-run-add-partner"
        onClick={() => openPartnerForm()}
      >
        Add your first partner
      </button>
    </section>
  );
}
