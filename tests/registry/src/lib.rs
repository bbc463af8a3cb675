//! Tests only: see `tests/`. They start the CNCF distribution registry (`docker-registry`,
//! Debian package `docker-registry`) on 127.0.0.1, and run `skopeo` (Debian package `skopeo`)
//! and `htpasswd` (Debian package `apache2-utils`); a missing one fails the test with the
//! `apt-get install` line.
