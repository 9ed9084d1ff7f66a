//! The rustls client configuration both protocols use: the Mozilla roots (webpki-roots) and
//! the ring provider, so the build needs neither OpenSSL nor the system's certificate store;
//! plus, per account, the roots of a private CA when the server's certificate comes from one.

use std::fmt;
use std::sync::{Arc, OnceLock};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::pem::PemObject as _;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::MailboxError;

/// Root certificates trusted in addition to the Mozilla roots, for a mail server whose
/// certificate comes from a private (company, on-premises) CA. Parsed and checked once, when
/// made; cheap to clone.
#[derive(Clone)]
pub struct ExtraRoots {
    certificates: Arc<[CertificateDer<'static>]>,
    /// The IMAP client configuration with these roots, built once.
    client_config: Arc<ClientConfig>,
}

impl ExtraRoots {
    /// The certificates in `pem` (one or several `BEGIN CERTIFICATE` blocks; other blocks,
    /// such as a key, are passed over). Text holding no certificate, a broken block or a
    /// certificate unusable as a root is a [`MailboxError::Config`].
    pub fn from_pem(pem: &str) -> Result<ExtraRoots, MailboxError> {
        let certificates = CertificateDer::pem_slice_iter(pem.as_bytes())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|error| MailboxError::Config(format!("root certificate PEM: {error}")))?;
        if certificates.is_empty() {
            return Err(MailboxError::Config(
                "root certificate PEM holds no certificate".to_owned(),
            ));
        }
        let mut roots = mozilla_roots();
        for certificate in &certificates {
            roots.add(certificate.clone()).map_err(|error| {
                MailboxError::Config(format!("root certificate unusable: {error}"))
            })?;
        }
        Ok(ExtraRoots {
            certificates: certificates.into(),
            client_config: build_client_config(roots).map_err(MailboxError::Config)?,
        })
    }

    /// The certificates in DER, for handing to lettre.
    pub(crate) fn certificates(&self) -> &[CertificateDer<'static>] {
        &self.certificates
    }
}

impl fmt::Debug for ExtraRoots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExtraRoots")
            .field("certificates", &self.certificates.len())
            .finish_non_exhaustive()
    }
}

fn mozilla_roots() -> RootCertStore {
    RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

fn build_client_config(roots: RootCertStore) -> Result<Arc<ClientConfig>, String> {
    // ring, as lettre uses it: aws-lc-rs would add a large C build. rustls marks ring
    // deprecated only for lacking post-quantum key exchange.
    #[expect(deprecated)]
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map(|builder| Arc::new(builder.with_root_certificates(roots).with_no_client_auth()))
        .map_err(|error| error.to_string())
}

fn client_config(extra_roots: Option<&ExtraRoots>) -> Result<Arc<ClientConfig>, MailboxError> {
    if let Some(extra_roots) = extra_roots {
        return Ok(Arc::clone(&extra_roots.client_config));
    }
    static CONFIG: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| build_client_config(mozilla_roots()))
        .clone()
        .map_err(MailboxError::Config)
}

/// TLS over an open connection, the certificate checked against `host`.
pub(crate) async fn wrap<S: AsyncRead + AsyncWrite + Unpin>(
    host: &str,
    extra_roots: Option<&ExtraRoots>,
    stream: S,
) -> Result<TlsStream<S>, MailboxError> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|error| MailboxError::Config(format!("host name {host:?}: {error}")))?;
    TlsConnector::from(client_config(extra_roots)?)
        .connect(name, stream)
        .await
        .map_err(|error| match certificate_problem(&error) {
            Some(problem) => MailboxError::Certificate(format!("{host}: {problem}")),
            None => MailboxError::Connection(format!("TLS with {host}: {error}")),
        })
}

/// The certificate refusal somewhere in an error's chain, if that is what it is: it makes the
/// difference between "try again later" and "fix the configuration".
pub(crate) fn certificate_problem(error: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut current = Some(error);
    while let Some(error) = current {
        // io::Error hides its payload from source(); look inside.
        let rustls_error = error
            .downcast_ref::<tokio_rustls::rustls::Error>()
            .or_else(|| {
                error
                    .downcast_ref::<std::io::Error>()
                    .and_then(|io| io.get_ref())
                    .and_then(|inner| inner.downcast_ref::<tokio_rustls::rustls::Error>())
            });
        if let Some(
            problem @ (tokio_rustls::rustls::Error::InvalidCertificate(_)
            | tokio_rustls::rustls::Error::NoCertificatesPresented),
        ) = rustls_error
        {
            return Some(problem.to_string());
        }
        current = error.source();
    }
    None
}
