//! HTTP/1.1 on a loopback port: a small server the examples start, and the
//! client they talk to it with. Both are hyper 1.x over `async-net` sockets.
//!
//! The server answers:
//!
//! - `GET /hello`: `200 hello from 127.0.0.1`;
//! - `GET /delay/<ms>/<name>`: `200 <name>`, after `<ms>` milliseconds;
//! - `GET /status/<code>`: that status, with an empty body;
//! - `GET /delay/<ms>/status/<code>`: that status, after `<ms>` milliseconds;
//! - anything else: `404`.
//!
//! # Examples
//!
//! ```
//! use async_with::{AsyncClose, with};
//! use async_with_examples::RuntimeKind;
//! use async_with_examples::http::{HttpClient, LocalServer};
//!
//! let runtime = RuntimeKind::Smol;
//! runtime.block_on(async {
//!     with(LocalServer::new(runtime), async |server| {
//!         let mut client = HttpClient::connect(runtime, server.addr()).await?;
//!         assert_eq!(client.get("/hello").await?, "hello from 127.0.0.1");
//!         client.close().await
//!     })
//!     .await
//! })?;
//! # Ok::<(), async_with::Error>(())
//! ```

use std::convert::Infallible;
use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use async_net::{TcpListener, TcpStream};
use async_with::{AsyncClose, AsyncContext, Error, Exit, Outcome};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::{Bytes, Incoming};
use hyper::client::conn::http1::SendRequest;
use hyper::{Request, Response, StatusCode, header};
use smol_hyper::rt::FuturesIo;

use crate::{Background, RuntimeKind};

/// A context that serves HTTP/1.1 on `127.0.0.1:0` while its block runs.
///
/// Enter binds a free port and spawns the accept loop on the runtime; exit
/// stops accepting. Connections already open finish on their own when their
/// client closes them.
///
/// # Examples
///
/// See the [module](self).
#[derive(Debug)]
pub struct LocalServer {
    runtime: RuntimeKind,
}

impl LocalServer {
    /// A server that will run on `runtime`.
    ///
    /// # Examples
    ///
    /// See the [module](self).
    pub fn new(runtime: RuntimeKind) -> LocalServer {
        LocalServer { runtime }
    }
}

/// A running [`LocalServer`]: where it listens.
///
/// # Examples
///
/// See the [module](self).
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    accept_loop: Option<Background>,
}

impl RunningServer {
    /// The address the server listens on.
    ///
    /// # Examples
    ///
    /// See the [module](self).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl AsyncContext for LocalServer {
    type Resource = RunningServer;

    async fn enter(&mut self) -> Result<RunningServer, Error> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let runtime = self.runtime;
        let accept_loop = runtime.spawn(async move {
            while let Ok((stream, _peer)) = listener.accept().await {
                runtime.spawn(serve_connection(stream));
            }
        });
        Ok(RunningServer {
            addr,
            accept_loop: Some(accept_loop),
        })
    }

    async fn exit(self, mut server: RunningServer, _outcome: Outcome) -> Result<Exit, Error> {
        if let Some(accept_loop) = server.accept_loop.take() {
            accept_loop.cancel().await;
        }
        Ok(Exit::Propagate)
    }
}

async fn serve_connection(stream: TcpStream) {
    let service = hyper::service::service_fn(|request: Request<Incoming>| async move {
        Ok::<_, Infallible>(route(request.uri().path()).await)
    });
    // A client that goes away mid-request is that client's business.
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(FuturesIo::new(stream), service)
        .await;
}

async fn route(path: &str) -> Response<Full<Bytes>> {
    let mut segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut delayed = false;
    if let ["delay", ms, rest @ ..] = segments.as_slice() {
        let Ok(ms) = ms.parse() else {
            return respond(StatusCode::BAD_REQUEST, "bad delay");
        };
        async_io::Timer::after(Duration::from_millis(ms)).await;
        segments = rest.to_vec();
        delayed = true;
    }
    match segments.as_slice() {
        ["hello"] => respond(StatusCode::OK, "hello from 127.0.0.1"),
        ["status", code] => match code.parse::<u16>().map(StatusCode::from_u16) {
            Ok(Ok(status)) => respond(status, ""),
            _ => respond(StatusCode::BAD_REQUEST, "bad status"),
        },
        [name] if delayed => respond(StatusCode::OK, name),
        _ => respond(StatusCode::NOT_FOUND, ""),
    }
}

fn respond(status: StatusCode, body: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body.to_string())));
    *response.status_mut() = status;
    response
}

/// One HTTP/1.1 connection to a server: hyper's client over an `async-net`
/// socket, its connection driven by a task on the runtime.
///
/// It is [`AsyncClose`]: `closing(client)` closes it when a block ends.
///
/// # Examples
///
/// See the [module](self).
#[derive(Debug)]
pub struct HttpClient {
    sender: SendRequest<Empty<Bytes>>,
    connection: Background,
    host: String,
}

impl HttpClient {
    /// Opens a connection to `addr`.
    ///
    /// # Examples
    ///
    /// See the [module](self).
    pub async fn connect(runtime: RuntimeKind, addr: SocketAddr) -> Result<HttpClient, Error> {
        let stream = TcpStream::connect(addr).await?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(FuturesIo::new(stream)).await?;
        let connection = runtime.spawn(async move {
            let _ = connection.await;
        });
        Ok(HttpClient {
            sender,
            connection,
            host: addr.to_string(),
        })
    }

    /// `GET path`: the body of a `2xx` answer, or an [`HttpStatusError`].
    ///
    /// # Examples
    ///
    /// See the [module](self).
    pub async fn get(&mut self, path: &str) -> Result<String, Error> {
        self.sender.ready().await?;
        let request = Request::get(path)
            .header(header::HOST, &self.host)
            .body(Empty::new())?;
        let response = self.sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        if !status.is_success() {
            return Err(HttpStatusError {
                path: path.to_string(),
                status: status.as_u16(),
            }
            .into());
        }
        Ok(String::from_utf8_lossy(&body).into_owned())
    }
}

impl AsyncClose for HttpClient {
    /// Ends the connection: no more requests, and the connection task is
    /// waited for until the socket is closed.
    async fn close(self) -> Result<(), Error> {
        let HttpClient {
            sender, connection, ..
        } = self;
        drop(sender);
        connection.join().await;
        Ok(())
    }
}

/// A request answered with a status outside `2xx`.
///
/// # Examples
///
/// ```
/// use async_with::with;
/// use async_with_examples::RuntimeKind;
/// use async_with_examples::http::{HttpClient, HttpStatusError, LocalServer};
///
/// let runtime = RuntimeKind::Tokio;
/// let error = runtime
///     .block_on(with(LocalServer::new(runtime), async |server| {
///         let mut client = HttpClient::connect(runtime, server.addr()).await?;
///         client.get("/status/503").await
///     }))
///     .unwrap_err();
/// let status = error.downcast_ref::<HttpStatusError>().unwrap();
/// assert_eq!(status.status(), 503);
/// assert_eq!(error.to_string(), "GET /status/503 answered 503");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpStatusError {
    path: String,
    status: u16,
}

impl HttpStatusError {
    /// The status code of the answer.
    ///
    /// # Examples
    ///
    /// See [`HttpStatusError`].
    pub fn status(&self) -> u16 {
        self.status
    }
}

impl fmt::Display for HttpStatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "GET {} answered {}", self.path, self.status)
    }
}

impl std::error::Error for HttpStatusError {}
