//! The purposes a deal may permit (PRODUCT.md §1) and their hierarchy.
//!
//! The order of [`Purpose::ALL`] is the canonical order: purpose lists are stored and
//! shown in it, so the same set always has the same text.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::FieldError;

/// What a deal may do with users' data (PRODUCT.md §1). A record goes into a deal's
/// snapshot only if its author consents to every purpose the deal permits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "kebab-case")]
pub enum Purpose {
    /// `partner-sharing`: any sharing with business partners; the root every other purpose
    /// falls under.
    PartnerSharing,
    /// `ai-training`: training any AI or ML model.
    AiTraining,
    /// `genai-training`: training generative AI models; falls under `ai-training`.
    GenaiTraining,
    /// `ai-inference`: use as input at inference time (RAG, grounding).
    AiInference,
    /// `search`: search indexing.
    Search,
    /// `data-mining`: text and data mining, analytics.
    DataMining,
}

impl Purpose {
    /// Every purpose, in canonical order: the order purpose lists are stored and shown in.
    pub const ALL: [Purpose; 6] = [
        Purpose::PartnerSharing,
        Purpose::AiTraining,
        Purpose::GenaiTraining,
        Purpose::AiInference,
        Purpose::Search,
        Purpose::DataMining,
    ];

    /// The purpose's token, e.g. `genai-training`: what files, flags and JSON use.
    pub fn token(self) -> &'static str {
        match self {
            Purpose::PartnerSharing => "partner-sharing",
            Purpose::AiTraining => "ai-training",
            Purpose::GenaiTraining => "genai-training",
            Purpose::AiInference => "ai-inference",
            Purpose::Search => "search",
            Purpose::DataMining => "data-mining",
        }
    }

    /// The purpose this one falls under; `None` for `partner-sharing`, the root.
    pub fn parent(self) -> Option<Purpose> {
        match self {
            Purpose::PartnerSharing => None,
            Purpose::AiTraining => Some(Purpose::PartnerSharing),
            Purpose::GenaiTraining => Some(Purpose::AiTraining),
            Purpose::AiInference | Purpose::Search | Purpose::DataMining => {
                Some(Purpose::PartnerSharing)
            }
        }
    }

    /// `self` and its ancestors, nearest first (e.g. genai-training, ai-training,
    /// partner-sharing).
    pub fn chain(self) -> impl Iterator<Item = Purpose> {
        std::iter::successors(Some(self), |p| p.parent())
    }

    /// The C2PA / CAWG training-and-mining assertion for this purpose, if one exists.
    pub fn cawg(self) -> Option<&'static str> {
        match self {
            Purpose::AiTraining => Some("cawg.ai_training"),
            Purpose::GenaiTraining => Some("cawg.ai_generative_training"),
            Purpose::AiInference => Some("cawg.ai_inference"),
            Purpose::DataMining => Some("cawg.data_mining"),
            Purpose::PartnerSharing | Purpose::Search => None,
        }
    }

    /// The IETF AI-preferences vocabulary token for this purpose, if one exists:
    /// `train-ai` is training any AI model and `train-genai` generative training only, so
    /// each purpose maps to the category it names (README, "Purposes and vocabularies").
    pub fn aipref(self) -> Option<&'static str> {
        match self {
            Purpose::AiTraining => Some("train-ai"),
            Purpose::GenaiTraining => Some("train-genai"),
            Purpose::AiInference => Some("ai-use"),
            Purpose::Search => Some("search"),
            Purpose::PartnerSharing | Purpose::DataMining => None,
        }
    }

    /// The W3C TDMRep property that covers this purpose, if any: `tdm-reservation`
    /// for the text-and-data-mining acts (training and mining). A manifest writes it as
    /// 0 (not reserved: this agreement licenses it) when the purpose is permitted, 1
    /// (reserved) when it is prohibited.
    pub fn tdmrep(self) -> Option<&'static str> {
        match self {
            Purpose::AiTraining | Purpose::GenaiTraining | Purpose::DataMining => {
                Some("tdm-reservation")
            }
            Purpose::PartnerSharing | Purpose::AiInference | Purpose::Search => None,
        }
    }

    /// Parses a comma-separated list such as `genai-training,ai-inference` into a
    /// sorted, de-duplicated, non-empty list. Errors name the field `purposes`.
    pub fn parse_list(text: &str) -> Result<Vec<Purpose>, FieldError> {
        let mut purposes = Vec::new();
        for token in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            purposes.push(token.parse::<Purpose>()?);
        }
        normalize(purposes)
    }

    /// The tokens of `purposes`, comma-separated in the given order, e.g.
    /// `genai-training,search`: how a deal's purposes are stored.
    pub fn join(purposes: &[Purpose]) -> String {
        purposes
            .iter()
            .map(|p| p.token())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Sorts into canonical order and removes repeats; an empty list is an error because a
/// deal that permits nothing cannot deliver anything.
pub fn normalize(mut purposes: Vec<Purpose>) -> Result<Vec<Purpose>, FieldError> {
    purposes.sort();
    purposes.dedup();
    if purposes.is_empty() {
        return Err(FieldError::new(
            "purposes",
            format!("at least one purpose is required ({})", all_tokens()),
        ));
    }
    Ok(purposes)
}

fn all_tokens() -> String {
    Purpose::join(&Purpose::ALL)
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.token())
    }
}

impl FromStr for Purpose {
    type Err = FieldError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Purpose::ALL
            .into_iter()
            .find(|p| p.token() == s)
            .ok_or_else(|| {
                FieldError::new(
                    "purposes",
                    format!("unknown purpose '{s}' (known: {})", all_tokens()),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_runs_from_the_purpose_up_to_the_root() {
        let chain: Vec<_> = Purpose::GenaiTraining.chain().collect();
        assert_eq!(
            chain,
            [
                Purpose::GenaiTraining,
                Purpose::AiTraining,
                Purpose::PartnerSharing
            ]
        );
        assert_eq!(
            Purpose::PartnerSharing.chain().collect::<Vec<_>>(),
            [Purpose::PartnerSharing]
        );
    }

    #[test]
    fn tokens_round_trip_and_lists_are_canonical() {
        for p in Purpose::ALL {
            assert_eq!(p.token().parse::<Purpose>().unwrap(), p);
        }
        let list = Purpose::parse_list("search, genai-training,search").unwrap();
        assert_eq!(list, [Purpose::GenaiTraining, Purpose::Search]);
        assert_eq!(Purpose::join(&list), "genai-training,search");
    }

    #[test]
    fn each_purpose_maps_to_its_own_vocabulary_entries() {
        let table: Vec<_> = Purpose::ALL
            .into_iter()
            .map(|p| (p.token(), p.cawg(), p.aipref(), p.tdmrep()))
            .collect();
        let tdm = Some("tdm-reservation");
        assert_eq!(
            table,
            [
                ("partner-sharing", None, None, None),
                (
                    "ai-training",
                    Some("cawg.ai_training"),
                    Some("train-ai"),
                    tdm
                ),
                (
                    "genai-training",
                    Some("cawg.ai_generative_training"),
                    Some("train-genai"),
                    tdm
                ),
                (
                    "ai-inference",
                    Some("cawg.ai_inference"),
                    Some("ai-use"),
                    None
                ),
                ("search", None, Some("search"), None),
                ("data-mining", Some("cawg.data_mining"), None, tdm),
            ]
        );
    }

    #[test]
    fn unknown_and_empty_lists_name_the_field() {
        let err = Purpose::parse_list("genai-training,scraping").unwrap_err();
        assert_eq!(err.field, "purposes");
        assert!(err.message.contains("'scraping'"), "{}", err.message);
        assert_eq!(Purpose::parse_list(" , ").unwrap_err().field, "purposes");
    }
}
