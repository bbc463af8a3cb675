//! Sends `wasi:http` requests for the outgoing-HTTP tests (`tests/http`), which check what the
//! sandbox let through and what the guest saw when it did not.

wit_bindgen::generate!({
    path: "../../../wit/http-client",
    world: "http-client",
});

use exports::tairitsu::http_client::client::{Guest, Response};
use wasip2::http::outgoing_handler;
use wasip2::http::types::{self, Fields, OutgoingRequest, Scheme};
use wasip2::io::streams::StreamError;

struct Client;

impl Guest for Client {
    fn get(url: String) -> Result<Response, String> {
        let (scheme, rest) = match url.split_once("://") {
            Some(("http", rest)) => (Scheme::Http, rest),
            Some(("https", rest)) => (Scheme::Https, rest),
            _ => return Err(format!("not an http(s) URL: {url}")),
        };
        let (authority, path) = match rest.find('/') {
            Some(at) => (&rest[..at], &rest[at..]),
            None => (rest, "/"),
        };
        let request = OutgoingRequest::new(Fields::new());
        request
            .set_scheme(Some(&scheme))
            .map_err(|()| "bad scheme".to_string())?;
        request
            .set_authority(Some(authority))
            .map_err(|()| format!("bad authority `{authority}`"))?;
        request
            .set_path_with_query(Some(path))
            .map_err(|()| format!("bad path `{path}`"))?;
        let pending = outgoing_handler::handle(request, None).map_err(|e| format!("{e:?}"))?;
        pending.subscribe().block();
        let response = match pending.get() {
            Some(Ok(Ok(response))) => response,
            Some(Ok(Err(code))) => return Err(format!("{code:?}")),
            Some(Err(())) => return Err("the response was taken already".into()),
            None => return Err("the response is not ready after `block`".into()),
        };
        let status = response.status();
        let body = response
            .consume()
            .map_err(|()| "the body was taken already".to_string())?;
        let stream = body
            .stream()
            .map_err(|()| "the body stream was taken already".to_string())?;
        let mut bytes = Vec::new();
        loop {
            match stream.blocking_read(64 * 1024) {
                Ok(chunk) => bytes.extend_from_slice(&chunk),
                Err(StreamError::Closed) => break,
                Err(StreamError::LastOperationFailed(error)) => {
                    return Err(match types::http_error_code(&error) {
                        Some(code) => format!("{code:?}"),
                        None => error.to_debug_string(),
                    });
                }
            }
        }
        drop(stream);
        Ok(Response {
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }
}

export!(Client);
