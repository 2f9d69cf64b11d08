//! The six purposes a deal may permit (PRODUCT.md §1), in the core's canonical order,
//! with their place in the hierarchy and the CAWG / IETF aipref vocabulary they map to.

import { PURPOSE_TABLE, type Purpose } from '../bindings';

export interface PurposeInfo {
  token: Purpose;
  label: string;
  /** For chips in tables, where room is short. */
  short: string;
  /** What the purpose covers, for hints. */
  description: string;
  parent: Purpose | null;
  cawg: string | null;
  aipref: string | null;
  /** `tdm-reservation` when W3C TDMRep covers the purpose (training, mining). */
  tdmrep: string | null;
}

/** What the UI says about each purpose: its own words, keyed by the core's tokens. */
const TEXT: Record<Purpose, { label: string; short: string; description: string }> = {
  'partner-sharing': { label: 'Partner sharing', short: 'Sharing', description: 'Any sharing with business partners' },
  'ai-training': { label: 'AI training', short: 'AI training', description: 'Training any AI or ML model' },
  'genai-training': { label: 'Generative AI training', short: 'GenAI training', description: 'Training generative AI models' },
  'ai-inference': { label: 'AI inference', short: 'Inference', description: 'Input at inference time (RAG, grounding)' },
  'search': { label: 'Search indexing', short: 'Search', description: 'Indexing for search' },
  'data-mining': { label: 'Data mining', short: 'Data mining', description: 'Text and data mining, analytics' },
};

/** The core's purposes in canonical order, with their hierarchy and vocabularies
 * (`PURPOSE_TABLE`, generated from src/model/purpose.rs), and the UI's words for them. */
export const PURPOSES: readonly PurposeInfo[] = PURPOSE_TABLE.map((p) => ({ ...p, ...TEXT[p.token] }));

const BY_TOKEN = new Map(PURPOSES.map((p) => [p.token, p]));

export function purposeInfo(token: Purpose): PurposeInfo {
  const info = BY_TOKEN.get(token);
  if (!info) throw new Error(`unknown purpose ${token}`);
  return info;
}

export function isPurpose(token: string): token is Purpose {
  return BY_TOKEN.has(token as Purpose);
}

/** How deep a purpose sits in the hierarchy: 0 for partner-sharing. */
export function purposeDepth(token: Purpose): number {
  let depth = 0;
  for (let p = purposeInfo(token).parent; p; p = purposeInfo(p).parent) depth += 1;
  return depth;
}

/** Sorted into canonical order, without repeats. */
export function canonicalPurposes(purposes: Iterable<Purpose>): Purpose[] {
  const chosen = new Set(purposes);
  return PURPOSES.map((p) => p.token).filter((t) => chosen.has(t));
}

/** The vocabulary tokens of a purpose, e.g. "cawg.ai_generative_training · train-ai". */
export function vocabularyTokens(token: Purpose): string[] {
  const info = purposeInfo(token);
  const tokens: string[] = [];
  if (info.cawg) tokens.push(info.cawg);
  if (info.aipref) tokens.push(info.aipref === 'search' ? 'search (aipref)' : info.aipref);
  return tokens;
}
