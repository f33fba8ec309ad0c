//! Fetching within bounds whatever the URL: `max_bytes` holds for a `file://` source whose file
//! reports no size, and redirects go only to http(s) on the same host or its parent domain
//! unless the source allows more.

use std::time::{Duration, Instant};

use watchkeeper::config::SourceConfig;
use watchkeeper::fetch::{FetchError, Fetcher, Validators};

fn source(url: &str, max_bytes: u64) -> SourceConfig {
    SourceConfig {
        max_bytes,
        timeout: Duration::from_secs(20),
        ..SourceConfig::new("s", "un_sc_xml", url)
    }
}

#[tokio::test]
async fn a_file_that_reports_size_0_is_read_up_to_max_bytes_and_refused() {
    // /dev/zero reports size 0 and never ends.
    let src = source("file:///dev/zero", 1 << 20);
    let started = Instant::now();
    let err = Fetcher::new()
        .fetch(&src, &[], &Validators::new())
        .await
        .expect_err("an endless file is refused");
    assert!(
        matches!(err, FetchError::TooLarge { limit, .. } if limit == 1 << 20),
        "{err}"
    );
    assert!(err.to_string().contains("max_bytes"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

/// Server `a` redirects `/list` to `location`.
async fn redirecting(location: &str) -> wiremock::MockServer {
    let a = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::path("/list"))
        .respond_with(wiremock::ResponseTemplate::new(302).insert_header("location", location))
        .mount(&a)
        .await;
    a
}

async fn fetch(src: &SourceConfig) -> Result<Vec<u8>, FetchError> {
    match Fetcher::new().fetch(src, &[], &Validators::new()).await? {
        watchkeeper::fetch::FetchOutcome::Fetched { bodies, .. } => Ok(bodies[0].bytes.clone()),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn redirects_go_only_to_http_on_the_same_host_unless_the_source_allows_the_host() {
    let b = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::path("/real"))
        .respond_with(wiremock::ResponseTemplate::new(200).set_body_string("the list"))
        .mount(&b)
        .await;
    let port = b.address().port();

    // The same host (127.0.0.1, another port): followed.
    let a = redirecting(&format!("http://127.0.0.1:{port}/real")).await;
    let src = source(&format!("{}/list", a.uri()), 1 << 20);
    assert_eq!(fetch(&src).await.unwrap(), b"the list");

    // Another host name (localhost, the same server): refused, unless the source lists it.
    let a = redirecting(&format!("http://localhost:{port}/real")).await;
    let mut src = source(&format!("{}/list", a.uri()), 1 << 20);
    let err = fetch(&src).await.expect_err("another host");
    assert!(matches!(err, FetchError::Redirect { .. }), "{err}");
    assert!(
        err.to_string().contains("host localhost is not 127.0.0.1"),
        "{err}"
    );
    src.allow_redirect_hosts = vec!["localhost".into()];
    assert_eq!(fetch(&src).await.unwrap(), b"the list");

    // Another scheme: refused whatever the source allows.
    let a = redirecting("file:///etc/passwd").await;
    let mut src = source(&format!("{}/list", a.uri()), 1 << 20);
    src.allow_redirect_hosts = vec!["localhost".into(), "127.0.0.1".into()];
    let err = fetch(&src).await.expect_err("file://");
    assert!(
        err.to_string().contains("scheme file: is not http(s)"),
        "{err}"
    );
}
