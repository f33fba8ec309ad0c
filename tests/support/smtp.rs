//! A real SMTP server on loopback for tests: mailin-embedded behind a small TCP front.
//!
//! mailin-embedded serves forever on a listener it owns and speaks STARTTLS only. The front, a
//! tokio task on its own thread, owns the port the client connects to: it forwards bytes to the
//! mail server, can terminate implicit TLS itself ([`SmtpServer::start_implicit_tls`]), and can
//! close the port ([`SmtpServer::stop`]) so a client sees "connection refused", as with a mail
//! server that is down.

use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use mailin_embedded::response::{AUTH_OK, INVALID_CREDENTIALS, OK};
use mailin_embedded::{AuthMechanism, Handler, Response, Server, SslConfig};

pub const USERNAME: &str = "alerts@example.org";
pub const PASSWORD: &str = "correct horse battery staple";

/// One message as the server received it.
#[derive(Debug, Clone)]
pub struct Received {
    /// MAIL FROM.
    pub from: String,
    /// RCPT TO, in order.
    pub to: Vec<String>,
    /// The DATA, as sent (headers and body, CRLF line ends).
    pub data: Vec<u8>,
}

#[derive(Clone)]
struct Collector {
    received: Arc<Mutex<Vec<Received>>>,
    /// The message of this connection being received (handlers are cloned per connection).
    current: Option<Received>,
}

impl Collector {
    fn check(&self, user: &str, password: &str) -> Response {
        if user == USERNAME && password == PASSWORD {
            AUTH_OK
        } else {
            INVALID_CREDENTIALS
        }
    }
}

impl Handler for Collector {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        self.current = Some(Received {
            from: from.to_string(),
            to: to.to_vec(),
            data: Vec::new(),
        });
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        if let Some(m) = &mut self.current {
            m.data.extend_from_slice(buf);
        }
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        if let Some(m) = self.current.take() {
            self.received.lock().unwrap().push(m);
        }
        OK
    }

    fn auth_plain(&mut self, _authz: &str, authn: &str, password: &str) -> Response {
        self.check(authn, password)
    }

    fn auth_login(&mut self, username: &str, password: &str) -> Response {
        self.check(username, password)
    }
}

/// A CA and a server certificate for `localhost` and `127.0.0.1` signed by it, made per test run.
struct Certs {
    dir: tempfile::TempDir,
    ca_pem: PathBuf,
    cert_pem: PathBuf,
    key_pem: PathBuf,
}

fn make_certs() -> Certs {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "watchkeeper test CA");
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, content: String| {
        let p = dir.path().join(name);
        std::fs::write(&p, content).unwrap();
        p
    };
    Certs {
        ca_pem: write("ca.pem", ca.pem()),
        cert_pem: write("server.pem", cert.pem()),
        key_pem: write("server.key", key.serialize_pem()),
        dir,
    }
}

/// Both mailin-embedded and the implicit-TLS front use rustls, which needs one process-wide
/// crypto provider when several are compiled in.
fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Starttls,
    ImplicitTls,
    Plaintext,
}

pub struct SmtpServer {
    /// The port clients connect to.
    pub port: u16,
    /// The CA that signed the server certificate: what `ca_file` must point to.
    pub ca_pem_path: PathBuf,
    received: Arc<Mutex<Vec<Received>>>,
    stop_tx: Option<tokio::sync::oneshot::Sender<()>>,
    front: Option<JoinHandle<()>>,
    _certs: Certs,
}

impl SmtpServer {
    /// STARTTLS and AUTH PLAIN/LOGIN (accepting [`USERNAME`]/[`PASSWORD`] only) required.
    pub fn start() -> SmtpServer {
        Self::start_with(Mode::Starttls)
    }

    /// Plaintext only, no STARTTLS, no AUTH: a relay on this machine.
    pub fn start_plaintext() -> SmtpServer {
        Self::start_with(Mode::Plaintext)
    }

    /// TLS from the first byte ("wrapper", as on port 465), no AUTH: mailin-embedded only offers
    /// AUTH after its own STARTTLS, which a TLS-terminating front cannot provide.
    pub fn start_implicit_tls() -> SmtpServer {
        Self::start_with(Mode::ImplicitTls)
    }

    fn start_with(mode: Mode) -> SmtpServer {
        install_crypto_provider();
        let certs = make_certs();
        let received = Arc::new(Mutex::new(Vec::new()));
        let backend = start_mailin(&certs, &received, mode == Mode::Starttls);
        let acceptor = (mode == Mode::ImplicitTls).then(|| tls_acceptor(&certs));

        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel();
        let front = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(run_front(listener, backend, acceptor, stop_rx));
        });
        SmtpServer {
            port,
            ca_pem_path: certs.ca_pem.clone(),
            received,
            stop_tx: Some(stop_tx),
            front: Some(front),
            _certs: certs,
        }
    }

    /// Messages received so far, in order.
    pub fn messages(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Closes the port: later connections are refused.
    pub fn stop(&mut self) {
        if let Some(tx) = self.stop_tx.take() {
            let _ = tx.send(());
        }
        if let Some(front) = self.front.take() {
            front.join().unwrap();
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A loopback port with nothing listening on it.
pub fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// Starts mailin-embedded on an ephemeral loopback port; its thread runs until the test process
/// exits (it has no shutdown), which is harmless as only the front is reachable by clients.
fn start_mailin(certs: &Certs, received: &Arc<Mutex<Vec<Received>>>, starttls: bool) -> SocketAddr {
    let handler = Collector {
        received: received.clone(),
        current: None,
    };
    let mut server = Server::new(handler);
    server.with_name("localhost").with_num_threads(4);
    if starttls {
        server
            .with_ssl(SslConfig::SelfSigned {
                cert_path: certs.cert_pem.to_string_lossy().into_owned(),
                key_path: certs.key_pem.to_string_lossy().into_owned(),
            })
            .unwrap()
            .with_auth(AuthMechanism::Plain)
            .with_auth(AuthMechanism::Login);
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    server.with_tcp_listener(listener);
    std::thread::spawn(move || {
        let _ = server.serve();
    });
    addr
}

fn tls_acceptor(certs: &Certs) -> tokio_rustls::TlsAcceptor {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let chain = vec![CertificateDer::from_pem_file(&certs.cert_pem).unwrap()];
    let key = PrivateKeyDer::from_pem_file(&certs.key_pem).unwrap();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

async fn run_front(
    listener: TcpListener,
    backend: SocketAddr,
    acceptor: Option<tokio_rustls::TlsAcceptor>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    loop {
        tokio::select! {
            _ = &mut stop => return,
            conn = listener.accept() => {
                let Ok((client, _)) = conn else { continue };
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(backend).await else {
                        return;
                    };
                    match acceptor {
                        Some(acceptor) => {
                            if let Ok(mut tls) = acceptor.accept(client).await {
                                let _ = tokio::io::copy_bidirectional(&mut tls, &mut server).await;
                            }
                        }
                        None => {
                            let mut client = client;
                            let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                        }
                    }
                });
            }
        }
    }
}
