//! The HTTP client of the outputs that POST (`http`, `otlp`): ureq with
//! rustls, the `tls:` map, and answers of any status returned, not raised.

use std::time::Duration;

use crate::config::TlsConfig;
use crate::error::{Error, ErrorKind};

/// An agent whose requests take at most `timeout`, with the TLS settings of
/// `tls`; a 4xx or 5xx answer is an answer, not an error.
///
/// # Errors
///
/// When a file of `tls` cannot be read or holds no certificate or key.
pub(crate) fn agent(timeout: Duration, tls: Option<&TlsConfig>) -> Result<ureq::Agent, Error> {
    Ok(ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .tls_config(tls_config(tls)?)
        .build()
        .into())
}

/// The PEM items of the file `key` of `tls` names.
fn pem_items(path: &std::path::Path, key: &str) -> Result<Vec<ureq::tls::PemItem<'static>>, Error> {
    let fail = |e: &dyn std::fmt::Display| {
        Error::new(
            ErrorKind::Invalid,
            format!("`tls.{key}` {}: {e}", path.display()),
        )
    };
    let bytes = std::fs::read(path).map_err(|e| fail(&e))?;
    ureq::tls::parse_pem(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| fail(&e))
}

/// The certificates in the file `key` names; at least one.
fn pem_certificates(
    path: &std::path::Path,
    key: &str,
) -> Result<Vec<ureq::tls::Certificate<'static>>, Error> {
    let certs: Vec<_> = pem_items(path, key)?
        .into_iter()
        .filter_map(|item| match item {
            ureq::tls::PemItem::Certificate(c) => Some(c),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!(
                "`tls.{key}` {}: no PEM certificate (`-----BEGIN CERTIFICATE-----`) in it",
                path.display()
            ),
        ));
    }
    Ok(certs)
}

/// ureq's TLS settings from `tls`: Mozilla's roots unless `ca_file` is
/// given, and the client certificate of `cert_file` and `key_file`.
fn tls_config(tls: Option<&TlsConfig>) -> Result<ureq::tls::TlsConfig, Error> {
    let mut builder = ureq::tls::TlsConfig::builder();
    let Some(tls) = tls else {
        return Ok(builder.build());
    };
    if let Some(ca) = &tls.ca_file {
        builder = builder.root_certs(ureq::tls::RootCerts::new_with_certs(&pem_certificates(
            ca, "ca_file",
        )?));
    }
    if let (Some(cert), Some(key)) = (&tls.cert_file, &tls.key_file) {
        let chain = pem_certificates(cert, "cert_file")?;
        let private = pem_items(key, "key_file")?
            .into_iter()
            .find_map(|item| match item {
                ureq::tls::PemItem::PrivateKey(k) => Some(k),
                _ => None,
            })
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Invalid,
                    format!("`tls.key_file` {}: no PEM private key in it", key.display()),
                )
            })?;
        builder = builder.client_cert(Some(ureq::tls::ClientCert::new_with_certs(&chain, private)));
    }
    Ok(builder.build())
}
