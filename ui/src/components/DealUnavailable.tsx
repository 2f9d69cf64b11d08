//! What a screen about one deal shows when the deal cannot be loaded: that it does not
//! exist, or the core's message, under the screen's back button.

import type { ReactNode } from 'react';

import type { ErrorBody } from '../bindings';

export function DealUnavailable({ id, error, back }: { id: number; error: ErrorBody; back: ReactNode }) {
  return (
    <section className="screen">
      {back}
      <div className="empty-state">
        <h2>{error.code === 'not_found' ? `Deal #${id} does not exist` : 'This deal could not be loaded'}</h2>
        <p>{error.message}</p>
      </div>
    </section>
  );
}
