//! The AWS shared profile (`~/.aws/credentials` and `~/.aws/config`), which object_store
//! does not read: when no access key is in the environment, the profile named by
//! `AWS_PROFILE` (else `default`) gives the key, the secret, the session token, the
//! region and the endpoint, unless the environment sets them. `AWS_SHARED_CREDENTIALS_FILE`
//! and `AWS_CONFIG_FILE` move the files, as the AWS CLI's do.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// object_store settings from the profile; empty when the environment has a key, or
/// there is no profile.
pub(crate) fn settings(
    env: &dyn Fn(&str) -> Option<String>,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Vec<(String, String)> {
    let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
    if set("AWS_ACCESS_KEY_ID") {
        return Vec::new();
    }
    let home = env("HOME").map(PathBuf::from);
    let file = |var: &str, default: &str| {
        env(var)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(".aws").join(default)))
    };
    let profile = env("AWS_PROFILE").unwrap_or_else(|| "default".to_string());
    let credentials = file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
        .and_then(|p| read(&p))
        .map(|text| section(&text, &profile))
        .unwrap_or_default();
    let config_name = if profile == "default" {
        "default".to_string()
    } else {
        format!("profile {profile}")
    };
    let config = file("AWS_CONFIG_FILE", "config")
        .and_then(|p| read(&p))
        .map(|text| section(&text, &config_name))
        .unwrap_or_default();
    let value = |key: &str| credentials.get(key).or_else(|| config.get(key)).cloned();
    let mut out = Vec::new();
    let (Some(key), Some(secret)) = (value("aws_access_key_id"), value("aws_secret_access_key"))
    else {
        return out;
    };
    out.push(("aws_access_key_id".to_string(), key));
    out.push(("aws_secret_access_key".to_string(), secret));
    if let Some(token) = value("aws_session_token") {
        out.push(("aws_session_token".to_string(), token));
    }
    if !set("AWS_REGION") && !set("AWS_DEFAULT_REGION") {
        if let Some(region) = value("region") {
            out.push(("aws_region".to_string(), region));
        }
    }
    if !set("AWS_ENDPOINT_URL") && !set("AWS_ENDPOINT") {
        if let Some(endpoint) = value("endpoint_url") {
            out.push(("aws_endpoint".to_string(), endpoint));
        }
    }
    out
}

/// The `key = value` pairs of one `[name]` section of an INI file.
fn section(text: &str, name: &str) -> BTreeMap<String, String> {
    let mut current = None::<String>;
    let mut pairs = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = Some(header.trim().to_string());
        } else if current.as_deref() == Some(name) {
            if let Some((key, value)) = line.split_once('=') {
                pairs.insert(key.trim().to_lowercase(), value.trim().to_string());
            }
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    const CREDENTIALS: &str = "[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s1\n\n[partner]\n# the partner's bucket\naws_access_key_id=AKIAPARTNER\naws_secret_access_key=s2\naws_session_token = t2\n";
    const CONFIG: &str = "[default]\nregion = us-east-1\n[profile partner]\nregion = eu-west-1\nendpoint_url = https://s3.example.test\n";

    fn run(env: &[(&str, &str)]) -> Vec<(String, String)> {
        let env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        settings(
            &|k| env.get(k).cloned(),
            &|p: &Path| match p.to_str().unwrap() {
                "/home/u/.aws/credentials" => Some(CREDENTIALS.to_string()),
                "/home/u/.aws/config" => Some(CONFIG.to_string()),
                _ => None,
            },
        )
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_named_profile_gives_keys_token_region_and_endpoint() {
        assert_eq!(
            run(&[("HOME", "/home/u"), ("AWS_PROFILE", "partner")]),
            pairs(&[
                ("aws_access_key_id", "AKIAPARTNER"),
                ("aws_secret_access_key", "s2"),
                ("aws_session_token", "t2"),
                ("aws_region", "eu-west-1"),
                ("aws_endpoint", "https://s3.example.test"),
            ])
        );
        assert_eq!(
            run(&[("HOME", "/home/u")]),
            pairs(&[
                ("aws_access_key_id", "AKIADEFAULT"),
                ("aws_secret_access_key", "s1"),
                ("aws_region", "us-east-1"),
            ])
        );
    }

    #[test]
    fn the_environment_wins_and_no_profile_gives_nothing() {
        assert!(run(&[("HOME", "/home/u"), ("AWS_ACCESS_KEY_ID", "AKIAENV")]).is_empty());
        let with_region = run(&[("HOME", "/home/u"), ("AWS_REGION", "ap-south-1")]);
        assert!(!with_region.iter().any(|(k, _)| k == "aws_region"));
        assert!(run(&[("HOME", "/home/u"), ("AWS_PROFILE", "missing")]).is_empty());
        assert!(run(&[("HOME", "/elsewhere")]).is_empty());
    }
}
