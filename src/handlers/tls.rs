//! The TLS client of the `tcp` and `syslog` handlers (feature `tls`): rustls
//! with the ring provider, Mozilla's roots or the CAs of `ca_file`, and the
//! blocking stream the sending thread writes to.
//!
//! Certificates and keys are read when the handler is built, so a missing or
//! unreadable file is a config error, not a failure at the first record.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore};

use crate::config::TlsConfig;
use crate::error::Error;
use crate::error::ErrorKind;

/// What every connection of one handler shares: the rustls configuration and
/// the name the server's certificate must carry.
#[derive(Debug)]
pub(crate) struct Client {
    config: Arc<ClientConfig>,
    server_name: ServerName<'static>,
}

fn invalid(what: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Invalid, what.to_string())
}

fn certificates(path: &Path, key: &str) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| invalid(format!("`tls.{key}` {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(invalid(format!(
            "`tls.{key}` {}: no PEM certificate (`-----BEGIN CERTIFICATE-----`) in it",
            path.display()
        )));
    }
    Ok(certs)
}

impl Client {
    /// Reads the files `config` names and prepares the client for `host`.
    ///
    /// # Errors
    ///
    /// A file that cannot be read or holds no certificate or key, a key that
    /// does not suit its certificate, or a server name that is neither a DNS
    /// name nor an IP address.
    pub(crate) fn new(config: &TlsConfig, host: &str) -> Result<Client, Error> {
        let mut roots = RootCertStore::empty();
        match &config.ca_file {
            Some(path) => {
                for cert in certificates(path, "ca_file")? {
                    roots
                        .add(cert)
                        .map_err(|e| invalid(format!("`tls.ca_file` {}: {e}", path.display())))?;
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        // An explicit provider: `ClientConfig::builder()` would panic when
        // another crate in the program enables a second one. ring, not
        // aws-lc-rs: no C toolchain in the build; rustls 0.23.48 deprecates
        // this function only to say ring has no post-quantum key exchange.
        #[allow(deprecated)]
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(invalid)?
            .with_root_certificates(roots);
        let client_config = match (&config.cert_file, &config.key_file) {
            (Some(cert), Some(key)) => {
                let chain = certificates(cert, "cert_file")?;
                let key_der = PrivateKeyDer::from_pem_file(key)
                    .map_err(|e| invalid(format!("`tls.key_file` {}: {e}", key.display())))?;
                builder
                    .with_client_auth_cert(chain, key_der)
                    .map_err(|e| invalid(format!("`tls.cert_file` and `tls.key_file`: {e}")))?
            }
            _ => builder.with_no_client_auth(),
        };
        let name = config.server_name.as_deref().unwrap_or(host);
        let server_name = ServerName::try_from(name.to_owned()).map_err(|_| {
            invalid(format!(
                "`{name}` is not a name a certificate can carry (a DNS name or an IP address); set `tls.server_name`"
            ))
        })?;
        Ok(Client {
            config: Arc::new(client_config),
            server_name,
        })
    }

    /// Runs the handshake over `sock`, whose read and write timeouts bound
    /// each step; the certificate is verified here.
    pub(crate) fn connect(&self, mut sock: TcpStream) -> io::Result<Stream> {
        let mut conn = ClientConnection::new(Arc::clone(&self.config), self.server_name.clone())
            .map_err(io::Error::other)?;
        while conn.is_handshaking() {
            conn.complete_io(&mut sock)?;
        }
        Ok(Stream { conn, sock })
    }
}

/// A TLS connection over a blocking TCP socket.
#[derive(Debug)]
pub(crate) struct Stream {
    conn: ClientConnection,
    sock: TcpStream,
}

impl Stream {
    /// Encrypts and writes all of `bytes` (bounded by the socket's write
    /// timeout).
    pub(crate) fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.conn.writer().write_all(bytes)?;
        while self.conn.wants_write() {
            self.conn.write_tls(&mut self.sock)?;
        }
        Ok(())
    }

    /// Reads decrypted bytes, waiting at most the socket's read timeout for
    /// them; `Ok(0)` when the server closed the connection.
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.conn.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
            if self.conn.read_tls(&mut self.sock)? == 0 {
                return Ok(0);
            }
            self.conn
                .process_new_packets()
                .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        }
    }

    /// Whether the server still has the connection open: reads (without
    /// waiting) what it sent, such as session tickets, and looks for its
    /// close or an alert. Data the server sent is read and discarded (a
    /// sink has nothing to say), so it cannot fill rustls's buffer.
    /// `Some(true)`: open, and the server had sent data.
    pub(crate) fn alive(&mut self) -> Option<bool> {
        self.sock.set_nonblocking(true).ok()?;
        let mut sent_data = false;
        let mut scratch = [0u8; 1024];
        let alive = loop {
            match self.conn.read_tls(&mut self.sock) {
                Ok(0) => break false,
                Ok(_) => {
                    let Ok(state) = self.conn.process_new_packets() else {
                        break false;
                    };
                    if state.peer_has_closed() {
                        break false;
                    }
                    while let Ok(n @ 1..) = self.conn.reader().read(&mut scratch) {
                        sent_data |= n > 0;
                    }
                }
                Err(e) => break e.kind() == io::ErrorKind::WouldBlock,
            }
        };
        (alive && self.sock.set_nonblocking(false).is_ok()).then_some(sent_data)
    }

    /// Sets the read and write timeouts of the socket under the TLS layer.
    pub(crate) fn set_timeouts(&self, t: Option<std::time::Duration>) -> io::Result<()> {
        self.sock.set_read_timeout(t)?;
        self.sock.set_write_timeout(t)
    }

    /// Sends `close_notify` (without waiting for the answer) and shuts the
    /// socket.
    pub(crate) fn shutdown(&mut self) {
        self.conn.send_close_notify();
        while self.conn.wants_write() {
            if self.conn.write_tls(&mut self.sock).is_err() {
                break;
            }
        }
        let _ = self.sock.shutdown(std::net::Shutdown::Both);
    }
}
