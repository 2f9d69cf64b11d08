//! ISO 3166-1 alpha-2 country codes: partner countries, deal territories and, later,
//! the consent regime of each user's country.

use crate::error::FieldError;

/// The 249 officially assigned ISO 3166-1 alpha-2 codes, sorted.
const CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ \
BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ \
DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU \
ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ \
LA LB LC LI LK LR LS LT LU LV LY \
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ \
NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA \
RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ \
TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ \
VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// Every assigned code, sorted.
pub fn codes() -> impl Iterator<Item = &'static str> {
    CODES.split(' ')
}

/// Whether `code` is an assigned ISO 3166-1 alpha-2 code, exactly as written (upper case).
pub fn is_code(code: &str) -> bool {
    // A binary search over the sorted codes, three bytes apart: a registry import asks
    // this once a row.
    let (codes, code) = (CODES.as_bytes(), code.as_bytes());
    if code.len() != 2 {
        return false;
    }
    let (mut low, mut high) = (0, codes.len().div_ceil(3));
    while low < high {
        let middle = (low + high) / 2;
        match codes[middle * 3..middle * 3 + 2].cmp(code) {
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Accepts any letter case and surrounding blanks; returns the upper-case code.
pub fn parse(field: &str, text: &str) -> Result<String, FieldError> {
    let code = text.trim().to_ascii_uppercase();
    if is_code(&code) {
        Ok(code)
    } else {
        Err(FieldError::new(
            field,
            format!(
                "'{}' is not an ISO 3166-1 alpha-2 country code",
                text.trim()
            ),
        ))
    }
}

/// The whole world.
pub const WORLD: &str = "WORLD";

/// A territory is `WORLD` or a comma-separated list of country codes; the result is
/// `WORLD` or the codes sorted and de-duplicated, so equal territories compare equal.
pub fn parse_territory(text: &str) -> Result<String, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(
            "territory",
            "territory is required: WORLD or country codes such as US,CA",
        ));
    }
    if text.eq_ignore_ascii_case(WORLD) {
        return Ok(WORLD.to_string());
    }
    let mut codes = text
        .split(',')
        .map(|c| parse("territory", c))
        .collect::<Result<Vec<_>, _>>()?;
    codes.sort();
    codes.dedup();
    Ok(codes.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_every_assigned_code_once_in_order() {
        let codes: Vec<_> = CODES.split(' ').collect();
        assert_eq!(codes.len(), 249);
        assert!(codes.windows(2).all(|w| w[0] < w[1]), "sorted, no repeats");
        assert!(is_code("DE") && is_code("GB") && is_code("US"));
        assert!(!is_code("UK") && !is_code("EU") && !is_code("de"));
    }

    #[test]
    fn the_search_finds_exactly_the_listed_codes() {
        let listed: Vec<&str> = CODES.split(' ').collect();
        for a in b'A'..=b'Z' {
            for b in b'A'..=b'Z' {
                let code = String::from_utf8(vec![a, b]).unwrap();
                assert_eq!(is_code(&code), listed.contains(&code.as_str()), "{code}");
            }
        }
        assert!(!is_code("") && !is_code("A") && !is_code("USA") && !is_code("A "));
    }

    #[test]
    fn territories_are_normalized() {
        assert_eq!(parse_territory("world").unwrap(), "WORLD");
        assert_eq!(parse_territory("us, ca,US").unwrap(), "CA,US");
        let err = parse_territory("US,XX").unwrap_err();
        assert_eq!(err.field, "territory");
        assert!(err.message.contains("'XX'"));
        assert!(parse_territory("  ").is_err());
    }
}
