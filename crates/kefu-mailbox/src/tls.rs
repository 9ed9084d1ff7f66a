//! The rustls client configuration both protocols use: the Mozilla roots (webpki-roots) and
//! the ring provider, so the build needs neither OpenSSL nor the system's certificate store.

use std::sync::{Arc, OnceLock};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};

use crate::MailboxError;

fn client_config() -> Result<Arc<ClientConfig>, MailboxError> {
    static CONFIG: OnceLock<Result<Arc<ClientConfig>, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            let roots = RootCertStore {
                roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            };
            // ring, as lettre uses it: aws-lc-rs would add a large C build. rustls marks ring
            // deprecated only for lacking post-quantum key exchange.
            #[expect(deprecated)]
            let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
            ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .map(|builder| {
                    Arc::new(builder.with_root_certificates(roots).with_no_client_auth())
                })
                .map_err(|error| error.to_string())
        })
        .clone()
        .map_err(MailboxError::Config)
}

/// TLS over an open connection, the certificate checked against `host`.
pub(crate) async fn wrap<S: AsyncRead + AsyncWrite + Unpin>(
    host: &str,
    stream: S,
) -> Result<TlsStream<S>, MailboxError> {
    let name = ServerName::try_from(host.to_owned())
        .map_err(|error| MailboxError::Config(format!("host name {host:?}: {error}")))?;
    TlsConnector::from(client_config()?)
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
