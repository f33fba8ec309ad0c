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
