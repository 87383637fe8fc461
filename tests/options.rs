//! Client options: every invalid combination is refused at construction with
//! `ERR_KLING_INVALID_OPTIONS`; the valid ones build.
#![cfg(not(target_arch = "wasm32"))]
// Errors carry every identifier (as in the library); their size does not matter in tests.
#![allow(clippy::result_large_err)]

mod support;

use kling_edge::api::auth::Credentials;
use kling_edge::api::client::DEFAULT_MAX_RETRIES;
use kling_edge::api::options::Token;
use kling_edge::api::{Client, ClientOptions, Error, ErrorKind, Secret};
use support::*;

fn refused(options: ClientOptions) -> Error {
    let e = Client::new(&options).expect_err("these options must be refused");
    assert_eq!(e.kind, ErrorKind::InvalidOptions);
    assert_eq!(e.kind.code(), "ERR_KLING_INVALID_OPTIONS");
    e
}

fn no_secret_in(e: &Error) {
    for secret in [SK, "the-api-key", "the-token"] {
        assert!(!e.message.contains(secret), "{} leaks a secret", e.message);
    }
}

#[test]
fn access_key_and_api_key_together_are_refused() {
    let e = refused(ClientOptions::<()> {
        api_key: Some(Secret::new("the-api-key")),
        ..ak_options()
    });
    assert!(
        e.message.contains("exactly one credential form"),
        "{}",
        e.message
    );
    no_secret_in(&e);
}

#[test]
fn api_key_and_token_together_are_refused() {
    refused(ClientOptions::<()> {
        api_key: Some(Secret::new("the-api-key")),
        token: Some(Token::Fixed(Secret::new("the-token"))),
        ..ClientOptions::default()
    });
}

#[test]
fn access_key_and_token_provider_together_are_refused() {
    refused(ClientOptions::<()> {
        token: Some(Token::Provider(())),
        ..ak_options()
    });
}

#[test]
fn access_key_without_secret_key_is_refused() {
    let e = refused(ClientOptions::<()> {
        access_key: Some(AK.into()),
        ..ClientOptions::default()
    });
    assert!(
        e.message.contains("`accessKey` needs `secretKey`"),
        "{}",
        e.message
    );
}

#[test]
fn secret_key_without_access_key_is_refused() {
    let e = refused(ClientOptions::<()> {
        secret_key: Some(Secret::new(SK)),
        ..ClientOptions::default()
    });
    no_secret_in(&e);
}

#[test]
fn empty_credentials_are_refused() {
    refused(ClientOptions::<()> {
        access_key: Some(" ".into()),
        ..ak_options()
    });
    refused(ClientOptions::<()> {
        secret_key: Some(Secret::new("")),
        ..ak_options()
    });
    refused(ClientOptions::<()> {
        api_key: Some(Secret::new("")),
        ..ClientOptions::default()
    });
    refused(ClientOptions::<()> {
        token: Some(Token::Fixed(Secret::new("\t"))),
        ..ClientOptions::default()
    });
}

#[test]
fn base_url_and_region_together_are_refused() {
    refused(ClientOptions::<()> {
        base_url: Some("https://api-singapore.klingai.com".into()),
        region: Some("global".into()),
        ..ak_options()
    });
}

#[test]
fn unknown_region_is_refused() {
    for region in ["us", "CN", "", "beijing"] {
        let e = refused(ClientOptions::<()> {
            region: Some(region.into()),
            ..ak_options()
        });
        assert!(e.message.contains("`region`"), "{}", e.message);
    }
}

#[test]
fn base_url_that_is_not_http_is_refused() {
    for url in [
        "ftp://api.klingai.com",
        "api.klingai.com",
        "",
        "https://",
        "https://api.klingai.com?x=1",
        "https://api.klingai.com/#frag",
        "https://api kling.com",
    ] {
        refused(ClientOptions::<()> {
            base_url: Some(url.into()),
            ..ak_options()
        });
    }
}

#[test]
fn timeouts_out_of_range_are_refused() {
    for t in [0.0, -1.0, 0.5, 3_600_001.0, f64::NAN, f64::INFINITY] {
        refused(ClientOptions::<()> {
            timeout_ms: Some(t),
            ..ak_options()
        });
    }
    for t in [1.0, 3_600_000.0] {
        let c = Client::new(&ClientOptions::<()> {
            timeout_ms: Some(t),
            ..ak_options()
        })
        .unwrap();
        assert_eq!(c.config().timeout_ms, t as u32);
    }
}

#[test]
fn retries_out_of_range_are_refused() {
    for r in [-1.0, 11.0, 1.5, f64::NAN] {
        refused(ClientOptions::<()> {
            max_retries: Some(r),
            ..ak_options()
        });
    }
    for r in [0.0, 10.0] {
        let c = Client::new(&ClientOptions::<()> {
            max_retries: Some(r),
            ..ak_options()
        })
        .unwrap();
        assert_eq!(c.config().max_retries, r as u32);
    }
    assert_eq!(ak_client().config().max_retries, DEFAULT_MAX_RETRIES);
    assert_eq!(DEFAULT_MAX_RETRIES, 2);
}

#[test]
fn token_ttl_out_of_range_is_refused() {
    for ttl in [9.0, 86_401.0, 60.5] {
        refused(ClientOptions::<()> {
            token_ttl_seconds: Some(ttl),
            ..ak_options()
        });
    }
}

#[test]
fn secrets_in_a_browser_page_are_refused_without_dangerously_allow_browser() {
    let e = refused(ClientOptions::<()> {
        in_browser: true,
        ..ak_options()
    });
    assert!(
        e.message.contains("dangerouslyAllowBrowser"),
        "{}",
        e.message
    );
    no_secret_in(&e);
    let e = refused(ClientOptions::<()> {
        in_browser: true,
        api_key: Some(Secret::new("the-api-key")),
        ..ClientOptions::default()
    });
    no_secret_in(&e);
}

#[test]
fn secrets_in_a_browser_page_are_allowed_with_dangerously_allow_browser() {
    let c = Client::new(&ClientOptions::<()> {
        in_browser: true,
        dangerously_allow_browser: true,
        ..ak_options()
    })
    .unwrap();
    assert!(matches!(
        c.auth().credentials(),
        Credentials::AccessKey { access_key, .. } if access_key == AK
    ));
    Client::new(&ClientOptions::<()> {
        in_browser: true,
        dangerously_allow_browser: true,
        api_key: Some(Secret::new("k")),
        ..ClientOptions::default()
    })
    .unwrap();
}

#[test]
fn a_token_or_a_provider_or_nothing_is_fine_in_a_browser_page() {
    for options in [
        ClientOptions::<()> {
            token: Some(Token::Fixed(Secret::new("short-lived"))),
            ..ClientOptions::default()
        },
        ClientOptions::<()> {
            token: Some(Token::Provider(())),
            ..ClientOptions::default()
        },
        ClientOptions::<()> {
            base_url: Some("https://my-proxy.example.com".into()),
            ..ClientOptions::default()
        },
    ] {
        Client::new(&ClientOptions::<()> {
            in_browser: true,
            ..options
        })
        .unwrap();
    }
}

#[test]
fn each_credential_form_is_recognised() {
    let creds = |o: ClientOptions| Client::new(&o).unwrap().auth().credentials().clone();
    assert_eq!(
        creds(ClientOptions::<()> {
            api_key: Some(Secret::new("k")),
            ..ClientOptions::default()
        }),
        Credentials::ApiKey(Secret::new("k"))
    );
    assert_eq!(
        creds(ClientOptions::<()> {
            token: Some(Token::Fixed(Secret::new("t"))),
            ..ClientOptions::default()
        }),
        Credentials::Token(Secret::new("t"))
    );
    assert_eq!(
        creds(ClientOptions::<()> {
            token: Some(Token::Provider(())),
            ..ClientOptions::default()
        }),
        Credentials::Provider
    );
    assert_eq!(creds(ClientOptions::default()), Credentials::None);
}

#[test]
fn secrets_never_show_in_debug_output() {
    let client = ak_client();
    let shown = format!("{client:?} {:?}", Secret::new("the-api-key"));
    assert!(!shown.contains(SK), "{shown}");
    assert!(!shown.contains("the-api-key"), "{shown}");
}
