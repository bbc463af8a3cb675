//! The limits of a guest's outgoing `wasi:http` requests, part of [`Limits`].

use std::time::Duration;

use crate::limits::Limits;

/// Timeouts and the response size of outgoing requests. A guest's own `request-options` may
/// shorten a timeout, never lengthen it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HttpLimits {
    /// The name lookup and the TCP (and TLS) connect, together.
    pub(crate) connect_timeout: Duration,
    /// From the request's start to the response's head.
    pub(crate) first_byte_timeout: Duration,
    /// Between two chunks of the response body.
    pub(crate) between_bytes_timeout: Duration,
    /// The most response body bytes a guest may read.
    pub(crate) max_response_size: u64,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(5),
            first_byte_timeout: Duration::from_secs(10),
            between_bytes_timeout: Duration::from_secs(10),
            max_response_size: 16 << 20,
        }
    }
}

impl Limits {
    /// How long an outgoing `wasi:http` request may take to look its host up and connect
    /// (TLS included); default 5 s. Past it the guest's request fails with
    /// `connection-timeout`.
    pub fn http_connect_timeout(mut self, timeout: Duration) -> Self {
        self.http.connect_timeout = timeout;
        self
    }

    /// How long an outgoing request may wait for the response's head once connected, and
    /// then between two chunks of its body; default 10 s. Past it the request (or the body
    /// read) fails with `connection-read-timeout`.
    pub fn http_first_byte_timeout(mut self, timeout: Duration) -> Self {
        self.http.first_byte_timeout = timeout;
        self.http.between_bytes_timeout = timeout;
        self
    }

    /// The largest response body, in bytes, an outgoing request may deliver to the guest;
    /// default 16 MiB. A larger announced `content-length` fails the request, a longer body
    /// fails the read, with `HTTP-response-body-size`.
    pub fn max_http_response_size(mut self, bytes: u64) -> Self {
        self.http.max_response_size = bytes;
        self
    }

    /// The connect timeout of outgoing requests.
    pub fn http_connect_timeout_limit(&self) -> Duration {
        self.http.connect_timeout
    }

    /// The first-byte (and between-bytes) timeout of outgoing requests.
    pub fn http_first_byte_timeout_limit(&self) -> Duration {
        self.http.first_byte_timeout
    }

    /// The response size limit of outgoing requests.
    pub fn http_response_size_limit(&self) -> u64 {
        self.http.max_response_size
    }
}
