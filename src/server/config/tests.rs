//! Every setting, by its key in the file and by its environment variable, and the docs that
//! list them. Over 400 lines: one sample per setting, and the settings are many.

use secrecy::ExposeSecret;

use super::*;

/// One sample per setting: a value in the settings file's syntax, the same value as an
/// environment variable would carry it, and how to see that it took.
struct Sample {
    key: &'static str,
    file: &'static str,
    env: &'static str,
    took: fn(&Config) -> bool,
}

const SECRET: &str = "a-secret-of-at-least-thirty-two-bytes!!";

fn samples() -> Vec<Sample> {
    vec![
        Sample {
            key: "site-addr",
            file: "\"0.0.0.0:8080\"",
            env: "0.0.0.0:8080",
            took: |c| c.site_addr.port() == 8080,
        },
        Sample {
            key: "database-url",
            file: "\"postgres://db/rhizom\"",
            env: "postgres://db/rhizom",
            took: |c| c.database_url.expose() == "postgres://db/rhizom",
        },
        Sample {
            key: "session-secret",
            file: "\"a-secret-of-at-least-thirty-two-bytes!!\"",
            env: SECRET,
            took: |c| c.session_secret.as_ref().map(|s| s.expose_secret()) == Some(SECRET),
        },
        Sample {
            key: "site-root",
            file: "\"/srv/site\"",
            env: "/srv/site",
            took: |c| c.site_root == "/srv/site",
        },
        Sample {
            key: "presence-grace-ms",
            file: "1500",
            env: "1500",
            took: |c| c.presence_grace == Duration::from_millis(1500),
        },
        Sample {
            key: "away-after-ms",
            file: "2500",
            env: "2500",
            took: |c| c.away_after == Duration::from_millis(2500),
        },
        Sample {
            key: "presence-ttl-ms",
            file: "7000",
            env: "7000",
            took: |c| c.presence_ttl == Duration::from_millis(7000),
        },
        Sample {
            key: "change-window",
            file: "4",
            env: "4",
            took: |c| c.change_window == 4,
        },
        Sample {
            key: "change-max-age-secs",
            file: "60",
            env: "60",
            took: |c| c.change_max_age == Duration::from_secs(60),
        },
        Sample {
            key: "stream-buffer",
            file: "7",
            env: "7",
            took: |c| c.stream_buffer == 7,
        },
        Sample {
            key: "fanout-threads",
            file: "3",
            env: "3",
            took: |c| c.fanout_threads == Some(3),
        },
        Sample {
            key: "heartbeat-ms",
            file: "250",
            env: "250",
            took: |c| c.heartbeat == Duration::from_millis(250),
        },
        Sample {
            key: "direct-streams",
            file: "false",
            env: "false",
            took: |c| !c.direct_streams,
        },
        Sample {
            key: "public-url",
            file: "\"https://chat.example.org\"",
            env: "https://chat.example.org",
            took: |c| c.public_url.as_ref().map(Url::as_str) == Some("https://chat.example.org/"),
        },
        Sample {
            key: "max-body-bytes",
            file: "1000",
            env: "1000",
            took: |c| c.max_body_bytes == 1000,
        },
        Sample {
            key: "head-timeout-secs",
            file: "7",
            env: "7",
            took: |c| c.head_timeout == Duration::from_secs(7),
        },
        Sample {
            key: "body-timeout-secs",
            file: "8",
            env: "8",
            took: |c| c.body_timeout == Duration::from_secs(8),
        },
        Sample {
            key: "max-connections",
            file: "99",
            env: "99",
            took: |c| c.max_connections == 99,
        },
        Sample {
            key: "max-connections-per-address",
            file: "9",
            env: "9",
            took: |c| c.max_connections_per_address == 9,
        },
        Sample {
            key: "catch-up-max-changes",
            file: "12",
            env: "12",
            took: |c| c.catch_up_max_changes == 12,
        },
        Sample {
            key: "catch-up-max-bytes",
            file: "3456",
            env: "3456",
            took: |c| c.catch_up_max_bytes == 3456,
        },
        Sample {
            key: "sign-in-rate",
            file: "\"5/m burst 2\"",
            env: "5/m burst 2",
            took: |c| c.sign_in_rate == Rate::limited(5, Duration::from_secs(60), 2),
        },
        Sample {
            key: "write-rate-per-address",
            file: "\"off\"",
            env: "off",
            took: |c| c.write_rate_per_address == Rate::Off,
        },
        Sample {
            key: "write-rate-per-being",
            file: "\"7/s\"",
            env: "7/s",
            took: |c| c.write_rate_per_being == Rate::limited(7, Duration::from_secs(1), 7),
        },
        Sample {
            key: "stream-rate-per-address",
            file: "\"3/h burst 9\"",
            env: "3/h burst 9",
            took: |c| c.stream_rate_per_address == Rate::limited(3, Duration::from_secs(3600), 9),
        },
        Sample {
            key: "read-rate-per-address",
            file: "\"20/m burst 5\"",
            env: "20/m burst 5",
            took: |c| c.read_rate_per_address == Rate::limited(20, Duration::from_secs(60), 5),
        },
        Sample {
            key: "stream-rate-per-being",
            file: "\"1/s burst 1\"",
            env: "1/s burst 1",
            took: |c| c.stream_rate_per_being == Rate::limited(1, Duration::from_secs(1), 1),
        },
        Sample {
            key: "trusted-proxies",
            file: "[\"10.0.0.0/8\", \"192.0.2.1/32\"]",
            env: "10.0.0.0/8, 192.0.2.1/32",
            took: |c| c.trusted_proxies.len() == 2,
        },
        Sample {
            key: "session-max-age-days",
            file: "3",
            env: "3",
            took: |c| c.session_max_age == Duration::from_secs(3 * 24 * 60 * 60),
        },
        Sample {
            key: "session-old-secrets",
            file: "[\"a-secret-of-at-least-thirty-two-bytes!!\"]",
            env: SECRET,
            took: |c| {
                let old: Vec<&str> = c
                    .session_old_secrets
                    .iter()
                    .map(|s| s.expose_secret())
                    .collect();
                old == [SECRET]
            },
        },
        Sample {
            key: "oidc",
            file: "[{ name = \"example\", issuer = \"https://id.example.org\", client-id = \"rhizom\", client-secret = \"s3cret\" }]",
            env: "[{ name = \"example\", issuer = \"https://id.example.org\", client-id = \"rhizom\", client-secret = \"s3cret\" }]",
            took: |c| {
                c.oidc.len() == 1
                    && c.oidc[0].name == "example"
                    && c.oidc[0].issuer == "https://id.example.org"
                    && c.oidc[0].client_id == "rhizom"
                    && c.oidc[0].client_secret.expose_secret() == "s3cret"
            },
        },
        Sample {
            key: "bot-stall-secs",
            file: "5",
            env: "5",
            took: |c| c.bot_stall == Duration::from_secs(5),
        },
        Sample {
            key: "bot-webhook-timeout-secs",
            file: "3",
            env: "3",
            took: |c| c.bot_webhook_timeout == Duration::from_secs(3),
        },
        Sample {
            key: "bot-retry-ms",
            file: "[10, 20]",
            env: "[10, 20]",
            took: |c| c.bot_retry_ms == [10, 20],
        },
        Sample {
            key: "bot-lease-secs",
            file: "4",
            env: "4",
            took: |c| c.bot_lease == Duration::from_secs(4),
        },
        Sample {
            key: "bot-private-addresses",
            file: "true",
            env: "true",
            took: |c| c.bot_private_addresses,
        },
        Sample {
            key: "metrics-token",
            file: "\"a-metrics-token\"",
            env: "a-metrics-token",
            took: |c| {
                c.metrics_token.as_ref().map(|s| s.expose_secret()) == Some("a-metrics-token")
            },
        },
        Sample {
            key: "nats-url",
            file: "\"nats://bus:4222\"",
            env: "nats://bus:4222",
            took: |c| c.nats_url.as_ref().map(|s| s.expose_secret()) == Some("nats://bus:4222"),
        },
        Sample {
            key: "moderators",
            file: "[\"00000000-0000-0000-0000-000000000007\"]",
            env: "00000000-0000-0000-0000-000000000007",
            took: |c| c.moderators == [Uuid::from_u128(7)],
        },
    ]
}

fn no_env(_: &str) -> Option<String> {
    None
}

#[test]
fn every_setting_has_a_sample_here() {
    let mut sampled: Vec<&str> = samples().iter().map(|s| s.key).collect();
    let mut keys = Config::keys().to_vec();
    sampled.sort_unstable();
    keys.sort_unstable();
    assert_eq!(sampled, keys);
}

#[test]
fn every_setting_is_read_from_the_file() {
    for sample in samples() {
        let config = Config::from_sources(&format!("{} = {}", sample.key, sample.file), no_env)
            .unwrap_or_else(|e| panic!("{}: {e:#}", sample.key));
        assert!((sample.took)(&config), "{} from the file", sample.key);
        assert!(
            !(sample.took)(&Config::default()),
            "{}: not the default",
            sample.key
        );
    }
}

#[test]
fn every_setting_is_read_from_its_environment_variable() {
    for sample in samples() {
        let name = env_name(sample.key);
        let var = |asked: &str| (asked == name).then(|| sample.env.to_owned());
        let config = Config::from_sources("", var).unwrap_or_else(|e| panic!("{name}: {e:#}"));
        assert!((sample.took)(&config), "{name}");
    }
}

#[test]
fn the_environment_overrides_the_file_which_overrides_the_defaults() {
    let file = "site-addr = \"0.0.0.0:8080\"\ndatabase-url = \"sqlite://x.db\"\n";
    let config = Config::from_sources(file, |name| {
        (name == "DATABASE_URL").then(|| "postgres://db/rhizom".to_owned())
    })
    .unwrap();
    assert_eq!(config.database_url.expose(), "postgres://db/rhizom");
    assert_eq!(config.site_addr.port(), 8080);
    assert_eq!(config.change_window, Config::default().change_window);
}

#[test]
fn an_empty_variable_counts_as_unset() {
    let config =
        Config::from_sources("", |name| (name == "DATABASE_URL").then(String::new)).unwrap();
    assert_eq!(config.database_url, Config::default().database_url);
}

#[test]
fn an_unknown_key_in_the_file_is_an_error() {
    assert!(Config::from_sources("databse-url = \"x\"", no_env).is_err());
}

#[test]
fn a_bad_value_in_the_environment_is_an_error_naming_its_variable() {
    for (name, bad) in [
        ("LEPTOS_SITE_ADDR", "nowhere"),
        ("RHIZOM_CHANGE_WINDOW", "many"),
        ("RHIZOM_DIRECT_STREAMS", "perhaps"),
    ] {
        let error = Config::from_sources("", |asked| (asked == name).then(|| bad.to_owned()))
            .expect_err(name);
        assert!(format!("{error:#}").contains(name), "{error:#}");
    }
}

#[test]
fn the_session_secrets_and_the_database_password_are_never_shown() {
    let config = Config::from_sources("", |name| match name {
        "RHIZOM_SESSION_SECRET" => Some(SECRET.to_owned()),
        "RHIZOM_SESSION_OLD_SECRETS" => Some(format!("old-{SECRET}")),
        "DATABASE_URL" => Some("postgres://rhizom:hunter2@db:5432/rhizom".to_owned()),
        _ => None,
    })
    .unwrap();
    assert_eq!(config.session_old_secrets.len(), 1);
    let shown = format!("{config:?}");
    assert!(
        !shown.contains("a-secret") && !shown.contains("hunter2"),
        "{shown}"
    );
    assert!(shown.contains("postgres://…@db:5432/rhizom"), "{shown}");
}

#[test]
fn the_docs_list_every_setting_with_its_variable() {
    let docs = [
        include_str!("../../../README.md"),
        include_str!("../../../docs/SYNC.md"),
        include_str!("../../../docs/SECURITY.md"),
    ]
    .concat();
    for key in Config::keys() {
        let listed = docs.lines().any(|line| {
            line.starts_with('|')
                && line.contains(&format!("`{key}`"))
                && line.contains(&format!("`{}`", env_name(key)))
        });
        assert!(
            listed,
            "no table row in README.md, SYNC.md or SECURITY.md lists `{key}` with `{}`",
            env_name(key)
        );
    }
}

#[test]
fn a_settings_file_that_does_not_parse_never_quotes_a_secret() {
    let password = "postgres://rhizom:hunter2@db/rhizom";
    for file in [
        format!("session-secret = \"{SECRET}"),
        format!("session-secret = [\"{SECRET}\", 5]"),
        format!("session-old-secrets = \"{SECRET}\"\nmax-connections = \"x\""),
        format!("database-url = [\"{password}\"]"),
        format!("database-url = \"{password}\"\nsession-secret = 7"),
    ] {
        let error = Config::from_sources(&file, |_| None).expect_err(&file);
        let shown = format!("{error:#} {error:?}");
        assert!(
            !shown.contains("a-secret") && !shown.contains("hunter2"),
            "{shown}"
        );
        assert!(shown.contains("line"), "says where: {shown}");
    }
    // Other mistakes are shown as they are.
    let error = Config::from_sources("max-connections = \"many\"", |_| None).unwrap_err();
    assert!(format!("{error:#}").contains("many"), "{error:#}");
}
