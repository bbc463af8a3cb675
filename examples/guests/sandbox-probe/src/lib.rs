//! A guest that probes its sandbox: the reliability tests (`tests/reliability`) call each
//! function with and without WASI grants and check what it could reach.
//!
//! Everything goes through Rust's standard library, as an ordinary plugin would.

wit_bindgen::generate!({
    path: "../../../wit/sandbox-probe",
    world: "sandbox-probe",
});

use std::io::{BufRead, BufReader};
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};

use exports::tairitsu::probe::probe::Guest;

struct Probe;

fn text(e: std::io::Error) -> String {
    format!("{:?}: {e}", e.kind())
}

impl Guest for Probe {
    fn read_file(path: String) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(text)
    }

    fn list_dir(path: String) -> Result<Vec<String>, String> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(path).map_err(text)? {
            names.push(
                entry
                    .map_err(text)?
                    .file_name()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
        names.sort();
        Ok(names)
    }

    fn write_file(path: String, contents: String) -> Result<(), String> {
        std::fs::write(path, contents).map_err(text)
    }

    fn env_var(name: String) -> Option<String> {
        std::env::var(name).ok()
    }

    fn env_all() -> Vec<String> {
        let mut vars: Vec<String> = std::env::vars().map(|(k, v)| format!("{k}={v}")).collect();
        vars.sort();
        vars
    }

    fn connect(address: String) -> Result<String, String> {
        let stream = TcpStream::connect(address.as_str()).map_err(text)?;
        let mut line = String::new();
        BufReader::new(stream).read_line(&mut line).map_err(text)?;
        Ok(line.trim_end().to_string())
    }

    fn udp_bind() -> Result<String, String> {
        let socket = UdpSocket::bind("127.0.0.1:0").map_err(text)?;
        Ok(socket.local_addr().map_err(text)?.to_string())
    }

    fn lookup(name: String) -> Result<Vec<String>, String> {
        let addrs = (name.as_str(), 0).to_socket_addrs().map_err(text)?;
        Ok(addrs.map(|a| a.ip().to_string()).collect())
    }
}

export!(Probe);

impl exports::tairitsu::probe::waits::Guest for Probe {
    fn nap(ms: u32) {
        std::thread::sleep(std::time::Duration::from_millis(u64::from(ms)));
    }

    fn poll_nap(ms: u32) {
        let nanos = u64::from(ms) * 1_000_000;
        let pollable = wasip2::clocks::monotonic_clock::subscribe_duration(nanos);
        wasip2::io::poll::poll(&[&pollable]);
    }
}
