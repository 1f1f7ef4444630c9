//! The transport: [`Connection`], its builder, and the one place where a call
//! becomes a signed HTTP request and a bounded, decoded response.

use std::fmt;
use std::io::{self, BufReader, Read as _};
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;

use crate::Error;
use crate::auth::{Credentials, StringToSign, content_md5};
use crate::clock::{Clock, SystemClock};
use crate::credentials::CredentialSources;
use crate::de::{StreamError, array_from_reader};
use crate::encode::{Form, truncate};
use crate::error::{ApiError, EXCERPT_LIMIT};
use crate::retry::{RetryPolicy, parse_retry_after};

/// The default request timeout, the official client's.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// The default limit on a response body: enough for a listing of ten thousand
/// instances with every detail.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 64 * 1024 * 1024;

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// The read buffer between the socket and the JSON decoder, for large answers.
const READ_BUFFER: usize = 64 * 1024;

/// Answers up to this size are read whole and decoded from the bytes; larger ones
/// are decoded as they stream in, so the body is never held whole.
const SLICE_DECODE_LIMIT: usize = 2 * 1024 * 1024;

/// Where the official service has the load-balancer API.
const LOADBALANCER_ORIGIN: &str = "https://tiktalik.com";

/// The load-balancer API's base path.
pub const LOADBALANCER_BASE_PATH: &str = "/api/v1/loadbalancer";

/// Which version of the Computing API to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum ApiVersion {
    /// The legacy API (`https://tiktalik.com/api/v1/computing`), as the Ruby SDK and
    /// the official Python SDK 1.x use it.
    V1,
    /// The current API (`https://api.tiktalik.com/api/v2/computing`), as the official
    /// Python SDK 2.x uses it. The default.
    #[default]
    V2,
}

impl ApiVersion {
    /// The origin this version is served from.
    #[must_use]
    pub fn default_origin(self) -> &'static str {
        match self {
            ApiVersion::V1 => "https://tiktalik.com",
            ApiVersion::V2 => "https://api.tiktalik.com",
        }
    }

    /// The base path of the Computing API in this version.
    #[must_use]
    pub fn base_path(self) -> &'static str {
        match self {
            ApiVersion::V1 => "/api/v1/computing",
            ApiVersion::V2 => "/api/v2/computing",
        }
    }
}

/// HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// Which API a call belongs to: each has its own origin and base path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Service {
    Computing,
    LoadBalancer,
}

/// One call, described before it is sent: the API module fills it in, the
/// connection signs and sends it.
pub(crate) struct Call<'a> {
    /// The SDK method's name, used in errors.
    pub name: &'static str,
    pub service: Service,
    pub method: Method,
    /// Relative to the API's base path, already encoded (e.g. `/instance/{uuid}/stop`).
    pub path: &'a str,
    /// Encoded query string without `?`.
    pub query: Option<&'a str>,
    pub form: Option<&'a Form>,
}

impl<'a> Call<'a> {
    pub(crate) fn new(name: &'static str, method: Method, path: &'a str) -> Self {
        Call {
            name,
            service: Service::Computing,
            method,
            path,
            query: None,
            form: None,
        }
    }

    /// Whether the call only reads (a GET): safe to send again, and with nothing
    /// at stake when its answer is lost.
    pub(crate) fn read_only(&self) -> bool {
        self.method == Method::Get
    }

    /// A call to the load-balancer API.
    pub(crate) fn loadbalancer(name: &'static str, method: Method, path: &'a str) -> Self {
        Call {
            service: Service::LoadBalancer,
            ..Call::new(name, method, path)
        }
    }

    pub(crate) fn query(mut self, query: &'a str) -> Self {
        self.query = Some(query);
        self
    }

    pub(crate) fn form(mut self, form: &'a Form) -> Self {
        self.form = Some(form);
        self
    }
}

/// A signed, blocking connection to the Tiktalik Computing API and its
/// load-balancer API.
///
/// It holds one HTTP agent for its whole life, so TCP and TLS connections are
/// kept alive across calls. Build it once and reuse it.
///
/// ```no_run
/// use tiktalik::{Connection, Details};
///
/// let conn = Connection::new("<API Key>", "<API Secret>")?;
/// let instances = conn.list_instances(Details::cost())?;
/// for i in &instances {
///     println!("Instance {} has {} network interfaces", i.hostname, i.interfaces.len());
/// }
/// # Ok::<(), tiktalik::Error>(())
/// ```
pub struct Connection {
    agent: ureq::Agent,
    credentials: Credentials,
    origin: String,
    api_version: ApiVersion,
    lb_origin: String,
    lb_base_path: String,
    clock: Arc<dyn Clock>,
    max_response_bytes: u64,
    retry: RetryPolicy,
}

impl Connection {
    /// A connection to the official service with the default settings.
    ///
    /// # Errors
    /// [`Error::Config`] when the key is empty or the secret is not valid base64.
    pub fn new(api_key: impl Into<String>, api_secret: &str) -> Result<Self, Error> {
        Self::builder(api_key, api_secret).build()
    }

    /// A builder to change the origin, API version, timeout, proxy or user agent.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tiktalik::Connection;
    ///
    /// let conn = Connection::builder("KEY", "ULQ/dVl0JWsrP/J1fEREIkn7DCE=")
    ///     .origin("http://127.0.0.1:8080")
    ///     .timeout(Duration::from_secs(5))
    ///     .build()?;
    /// assert_eq!(conn.origin(), "http://127.0.0.1:8080");
    /// # Ok::<(), tiktalik::Error>(())
    /// ```
    pub fn builder(api_key: impl Into<String>, api_secret: &str) -> ConnectionBuilder {
        ConnectionBuilder::new(Credentials::new(api_key, api_secret))
    }

    /// A builder for credentials found elsewhere, e.g. by
    /// [`CredentialSources::resolve`].
    pub fn builder_with(credentials: Credentials) -> ConnectionBuilder {
        ConnectionBuilder::new(Ok(credentials))
    }

    /// A connection configured from the environment: credentials from
    /// `TIKTALIK_API_KEY` / `TIKTALIK_API_SECRET`, `TIKTALIK_KEY` / `TIKTALIK_SECRET`
    /// or the official CLI's `~/.tiktalik/auth` (see [`CredentialSources`]), and
    /// the origin from `TIKTALIK_API_URL` when it is set (such as
    /// `http://127.0.0.1:8080`).
    ///
    /// # Errors
    /// [`Error::Config`] listing every place looked when no credentials are found,
    /// or saying what is wrong with those found.
    pub fn from_env() -> Result<Self, Error> {
        ConnectionBuilder::from_env()?.build()
    }

    /// The origin requests go to, e.g. `https://api.tiktalik.com`.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The Computing API version this connection speaks.
    #[must_use]
    pub fn api_version(&self) -> ApiVersion {
        self.api_version
    }

    /// The clock that dates requests; waiting helpers sleep on it too.
    #[must_use]
    pub fn clock(&self) -> &dyn Clock {
        &*self.clock
    }

    /// The credentials requests are signed with.
    #[must_use]
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The origin and base path of the load-balancer API, e.g.
    /// `https://tiktalik.com` and `/api/v1/loadbalancer`.
    #[must_use]
    pub fn loadbalancer_endpoint(&self) -> (&str, &str) {
        (&self.lb_origin, &self.lb_base_path)
    }

    /// Sends a call and decodes its JSON answer (an object).
    pub(crate) fn json<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, Error> {
        self.decode(call, |head, body| {
            serde_json::from_reader(BufReader::with_capacity(
                READ_BUFFER,
                io::Cursor::new(head).chain(body),
            ))
            .map_err(|e| {
                if e.is_io() {
                    StreamError::Io(e.into())
                } else {
                    StreamError::Json(e)
                }
            })
        })
    }

    /// Sends a call and decodes its JSON answer (an array). A large listing is
    /// decoded element by element as it streams in, so it costs its models and a
    /// window of the body, not the body on top.
    pub(crate) fn json_list<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<Vec<T>, Error> {
        self.decode(call, |head, body| array_from_reader(head, body))
    }

    /// Reads an answer of up to `SLICE_DECODE_LIMIT` whole and decodes it from the
    /// bytes (the fast path, for nearly every call); hands a larger one to `stream`
    /// with the bytes read so far.
    fn decode<T: DeserializeOwned>(
        &self,
        call: Call<'_>,
        stream: impl Fn(Vec<u8>, ureq::BodyReader<'_>) -> Result<T, StreamError>,
    ) -> Result<T, Error> {
        let (name, read_only) = (call.name, call.read_only());
        let failed = |e: StreamError| match e {
            // The transport failed or the size limit was hit, mid-body.
            StreamError::Io(e) => Error::from_ureq(name, read_only, e.into()),
            StreamError::Json(source) => Error::Decode { call: name, source },
        };
        self.send(call, |mut body| {
            let mut head = Vec::new();
            (&mut body)
                .take(SLICE_DECODE_LIMIT as u64 + 1)
                .read_to_end(&mut head)
                .map_err(|e| failed(StreamError::Io(e)))?;
            if head.len() <= SLICE_DECODE_LIMIT {
                serde_json::from_slice(&head).map_err(|e| failed(StreamError::Json(e)))
            } else {
                stream(head, body).map_err(failed)
            }
        })
    }

    /// Sends a call whose answer carries nothing the caller needs; the body is
    /// still read (within the size limit) so the connection can be reused.
    pub(crate) fn action(&self, call: Call<'_>) -> Result<(), Error> {
        let (name, read_only) = (call.name, call.read_only());
        self.send(call, |mut body| {
            io::copy(&mut body, &mut io::sink())
                .map(drop)
                .map_err(|e| Error::from_ureq(name, read_only, e.into()))
        })
    }

    /// Sends one call, retrying a GET as the retry policy allows; what `read` makes
    /// of the body of a 2xx answer, or the last error with the number of attempts.
    fn send<T>(
        &self,
        call: Call<'_>,
        read: impl Fn(ureq::BodyReader<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let (origin, base_path) = match call.service {
            Service::Computing => (self.origin.as_str(), self.api_version.base_path()),
            Service::LoadBalancer => (self.lb_origin.as_str(), self.lb_base_path.as_str()),
        };
        let mut target = String::with_capacity(base_path.len() + call.path.len() + 48);
        target.push_str(base_path);
        target.push_str(call.path);
        if let Some(query) = call.query {
            target.push('?');
            target.push_str(query);
        }
        let policy = if call.read_only() {
            self.retry
        } else {
            RetryPolicy::none()
        };
        let mut attempt = 1;
        loop {
            let error = match self.attempt(&call, origin, &target, &read) {
                Ok(body) => return Ok(body),
                Err(error) => error,
            };
            let wait = if error.is_retryable() {
                policy.delay(attempt, error.retry_after())
            } else {
                None
            };
            match wait {
                Some(wait) => {
                    self.clock.sleep(wait);
                    attempt += 1;
                }
                None => return Err(error.after_attempts(attempt)),
            }
        }
    }

    /// Signs (with the current Date) and sends one request.
    fn attempt<T>(
        &self,
        call: &Call<'_>,
        origin: &str,
        target: &str,
        read: impl Fn(ureq::BodyReader<'_>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let sent_at = self.clock.now();
        let date = httpdate::fmt_http_date(sent_at);
        let body = call.form.map(|f| f.as_str().as_bytes());
        let md5 = body.map(content_md5);
        let content_type = if body.is_some() {
            FORM_CONTENT_TYPE
        } else {
            ""
        };
        let authorization = self.credentials.authorization(&StringToSign {
            method: call.method.as_str(),
            content_md5: md5.as_deref().unwrap_or(""),
            content_type,
            date: &date,
            target,
        });

        let mut request = ureq::http::Request::builder()
            .method(call.method.as_str())
            .uri(format!("{origin}{target}"))
            .header("Date", &date)
            .header("Authorization", &authorization);
        if let Some(md5) = &md5 {
            request = request
                .header("Content-Type", content_type)
                .header("Content-MD5", md5);
        }
        let request = request
            .body(())
            .map_err(|e| Error::invalid("request", format!("{}: {e}", truncate(target, 200))))?;
        let failed = |e| Error::from_ureq(call.name, call.read_only(), e);
        let result = match (call.method, body) {
            (Method::Get, None) => self.agent.run(request),
            // Like the official client, a body-less POST/PUT/DELETE says Content-Length: 0.
            (_, body) => {
                let (parts, ()) = request.into_parts();
                let bytes: &[u8] = body.unwrap_or_default();
                self.agent
                    .run(ureq::http::Request::from_parts(parts, bytes))
            }
        };
        let mut response = result.map_err(failed)?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return read(
                response
                    .body_mut()
                    .with_config()
                    .limit(self.max_response_bytes)
                    .reader(),
            );
        }
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let server_date = header("Date").and_then(|d| httpdate::parse_http_date(&d).ok());
        let retry_after = header("Retry-After")
            .and_then(|v| parse_retry_after(&v, server_date.unwrap_or(sent_at)));
        // Only an excerpt is kept, so only a little more than that is read.
        let mut head = Vec::new();
        let limit = 16 * EXCERPT_LIMIT as u64;
        response
            .body_mut()
            .as_reader()
            .take(limit)
            .read_to_end(&mut head)
            .map_err(|e| failed(ureq::Error::Io(e)))?;
        let mut api = ApiError::from_body(call.name, status, &head);
        api.retry_after = retry_after;
        api.request_date = Some(sent_at);
        api.server_date = server_date;
        Err(Error::Api(Box::new(api)))
    }
}

impl fmt::Debug for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("origin", &self.origin)
            .field("api_version", &self.api_version)
            .field("loadbalancer_origin", &self.lb_origin)
            .field("loadbalancer_base_path", &self.lb_base_path)
            .field("credentials", &self.credentials)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// How the connection finds its proxy.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ProxyChoice {
    FromEnv,
    Url(String),
    None,
}

/// Settings for a [`Connection`]; every setting has a default.
///
/// Errors (a bad secret, origin or proxy) are reported by [`build`](Self::build).
#[must_use]
pub struct ConnectionBuilder {
    credentials: Result<Credentials, Error>,
    origin: Option<String>,
    api_version: ApiVersion,
    lb_origin: Option<String>,
    lb_base_path: String,
    timeout: Duration,
    proxy: ProxyChoice,
    user_agent: String,
    clock: Arc<dyn Clock>,
    max_response_bytes: u64,
    retry: RetryPolicy,
}

impl ConnectionBuilder {
    fn new(credentials: Result<Credentials, Error>) -> Self {
        ConnectionBuilder {
            credentials,
            origin: None,
            api_version: ApiVersion::default(),
            lb_origin: None,
            lb_base_path: LOADBALANCER_BASE_PATH.to_owned(),
            timeout: DEFAULT_TIMEOUT,
            proxy: ProxyChoice::FromEnv,
            user_agent: concat!("tiktalik-rust/", env!("CARGO_PKG_VERSION")).to_owned(),
            clock: Arc::new(SystemClock),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            retry: RetryPolicy::default(),
        }
    }

    /// A builder with credentials from the environment or the auth file (see
    /// [`CredentialSources`]) and, when `TIKTALIK_API_URL` is set, that origin.
    ///
    /// # Errors
    /// [`Error::Config`] listing every place looked when no credentials are found,
    /// or saying what is wrong with those found.
    pub fn from_env() -> Result<Self, Error> {
        Self::from_sources(&CredentialSources::new())
    }

    /// A builder with credentials from `sources` and, when `TIKTALIK_API_URL` is set
    /// (as `sources` reads variables), that origin.
    ///
    /// # Errors
    /// As [`from_env`](Self::from_env).
    pub fn from_sources(sources: &CredentialSources) -> Result<Self, Error> {
        let builder = Connection::builder_with(sources.resolve()?.credentials);
        Ok(match sources.var("TIKTALIK_API_URL") {
            Some(url) => builder.origin(url),
            None => builder,
        })
    }

    /// The scheme, host and port requests go to, e.g. `http://127.0.0.1:8080`.
    ///
    /// Defaults to the official origin of the API version.
    pub fn origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// The origin of the load-balancer API. Defaults to the [`origin`](Self::origin)
    /// when that is set (a proxy or a local fake serves both), else to
    /// `https://tiktalik.com`, where the official service has it.
    pub fn loadbalancer_origin(mut self, origin: impl Into<String>) -> Self {
        self.lb_origin = Some(origin.into());
        self
    }

    /// The base path of the load-balancer API. Defaults to `/api/v1/loadbalancer`.
    pub fn loadbalancer_base_path(mut self, path: impl Into<String>) -> Self {
        self.lb_base_path = path.into();
        self
    }

    /// The Computing API version. Defaults to [`ApiVersion::V2`].
    pub fn api_version(mut self, version: ApiVersion) -> Self {
        self.api_version = version;
        self
    }

    /// How long any one step of a call may take: connecting, and each wait for the
    /// server to accept or send bytes (a server that stalls mid-answer hits it).
    /// Defaults to 20 seconds, applied per step as the official client's httpx does.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sends every request through this proxy (`http://host:port`, with optional
    /// `user:password@`). Defaults to the proxy named by the environment
    /// (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, honouring `NO_PROXY`).
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = ProxyChoice::Url(url.into());
        self
    }

    /// Connects directly, ignoring any proxy in the environment.
    pub fn no_proxy(mut self) -> Self {
        self.proxy = ProxyChoice::None;
        self
    }

    /// The `User-Agent` header. Defaults to `tiktalik-rust/<version>`.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// The largest response body accepted; a larger one is
    /// [`Error::BodyTooLarge`]. Defaults to 64 MiB.
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// How GET requests are retried on connection errors, timeouts, 5xx and 429.
    /// Defaults to [`RetryPolicy::default`]: 4 attempts, backoff from 500 ms capped
    /// at 10 s, `Retry-After` honoured up to 60 s. POST, PUT and DELETE are never
    /// retried.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Sends every request once: the same as `.retry(RetryPolicy::none())`.
    pub fn no_retries(self) -> Self {
        self.retry(RetryPolicy::none())
    }

    /// The clock that dates (and so signs) every request. Defaults to
    /// [`SystemClock`]; tests install a fixed or manual one.
    pub fn clock(mut self, clock: impl Clock + 'static) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Checks the settings and opens nothing yet: connections are made on the
    /// first call and then kept alive.
    ///
    /// # Errors
    /// [`Error::Config`] for a bad key or secret, origin, proxy or user agent.
    pub fn build(self) -> Result<Connection, Error> {
        let credentials = self.credentials?;
        let lb_origin = match (&self.lb_origin, &self.origin) {
            (Some(origin), _) | (None, Some(origin)) => normalize_origin(origin)?,
            (None, None) => LOADBALANCER_ORIGIN.to_owned(),
        };
        let origin = match self.origin {
            Some(origin) => normalize_origin(&origin)?,
            None => self.api_version.default_origin().to_owned(),
        };
        let lb_base_path = self.lb_base_path.trim_end_matches('/').to_owned();
        if !lb_base_path.starts_with('/')
            || lb_base_path.contains(['?', '#', ' '])
            || lb_base_path.contains("//")
        {
            return Err(Error::config(format!(
                "the load-balancer base path {:?} must be an absolute path such as {LOADBALANCER_BASE_PATH}",
                truncate(&self.lb_base_path, 100)
            )));
        }
        let proxy = match self.proxy {
            ProxyChoice::FromEnv => ureq::Proxy::try_from_env(),
            ProxyChoice::Url(url) => Some(ureq::Proxy::new(&url).map_err(|e| {
                Error::config(format!(
                    "the proxy {:?} is not usable: {e}",
                    truncate(&url, 100)
                ))
            })?),
            ProxyChoice::None => None,
        };
        if ureq::http::HeaderValue::from_str(&self.user_agent).is_err() {
            return Err(Error::config(
                "the user agent contains characters that cannot go in a header",
            ));
        }
        let config = ureq::Agent::config_builder()
            // Error statuses carry the server's description: read them, don't raise.
            .http_status_as_error(false)
            // A redirect would be followed unsigned (or re-sent): report it instead.
            .max_redirects(0)
            // Per operation, as httpx (the official client) applies its timeout: a
            // global budget would make ureq reset the socket timeouts on every read
            // and write, which costs ~40 µs a call on loopback.
            .timeout_connect(Some(self.timeout))
            .timeout_per_read(Some(self.timeout))
            .timeout_per_write(Some(self.timeout))
            .proxy(proxy)
            .user_agent(self.user_agent);
        #[cfg(any(feature = "native-tls", feature = "platform-verifier"))]
        let config = config.tls_config(tls_config());
        Ok(Connection {
            agent: config.build().new_agent(),
            credentials,
            origin,
            api_version: self.api_version,
            lb_origin,
            lb_base_path,
            clock: self.clock,
            max_response_bytes: self.max_response_bytes,
            retry: self.retry,
        })
    }
}

#[cfg(any(feature = "native-tls", feature = "platform-verifier"))]
fn tls_config() -> ureq::tls::TlsConfig {
    let builder = ureq::tls::TlsConfig::builder();
    #[cfg(feature = "native-tls")]
    let builder = builder.provider(ureq::tls::TlsProvider::NativeTls);
    #[cfg(feature = "platform-verifier")]
    let builder = builder.root_certs(ureq::tls::RootCerts::PlatformVerifier);
    builder.build()
}

impl fmt::Debug for ConnectionBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionBuilder")
            .field("credentials", &self.credentials)
            .field("origin", &self.origin)
            .field("api_version", &self.api_version)
            .field("loadbalancer_origin", &self.lb_origin)
            .field("loadbalancer_base_path", &self.lb_base_path)
            .field("timeout", &self.timeout)
            .field("proxy", &self.proxy)
            .field("user_agent", &self.user_agent)
            .finish_non_exhaustive()
    }
}

/// `scheme://host[:port]`, without a trailing slash; anything else is refused.
fn normalize_origin(origin: &str) -> Result<String, Error> {
    let trimmed = origin.trim().trim_end_matches('/');
    let bad = |why: &str| {
        Err(Error::config(format!(
            "the origin {:?} {why}; expected scheme://host[:port], such as https://api.tiktalik.com",
            truncate(origin, 100)
        )))
    };
    let Some((scheme, authority)) = trimmed.split_once("://") else {
        return bad("has no scheme");
    };
    if scheme != "http" && scheme != "https" {
        return bad("is neither http nor https");
    }
    if authority.is_empty() {
        return bad("has no host");
    }
    if authority.contains(['/', '?', '#', '@']) || authority.contains(char::is_whitespace) {
        return bad("has a path, query, user or spaces");
    }
    let port_ok = match ureq::http::uri::Authority::try_from(authority) {
        // Authority accepts any text after the colon; the port must be a number.
        Ok(parsed) => {
            let port = authority.strip_prefix(parsed.host()).unwrap_or_default();
            port.is_empty()
                || port
                    .strip_prefix(':')
                    .is_some_and(|p| p.parse::<u16>().is_ok())
        }
        Err(_) => false,
    };
    if !port_ok {
        return bad("has a malformed host or port");
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "ULQ/dVl0JWsrP/J1fEREIkn7DCE=";

    #[test]
    fn origins_are_checked() {
        assert_eq!(
            normalize_origin("http://127.0.0.1:8080/").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert_eq!(
            normalize_origin(" https://api.tiktalik.com ").unwrap(),
            "https://api.tiktalik.com"
        );
        for bad in [
            "127.0.0.1:8080",
            "ftp://x",
            "http://",
            "http://host/api",
            "http://host?x",
            "http://u:p@host",
            "http://host:port",
        ] {
            let err = normalize_origin(bad).unwrap_err();
            assert!(
                err.to_string().contains("expected scheme://host"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn defaults_follow_the_api_version() {
        let v2 = Connection::new("KEY", SECRET).unwrap();
        assert_eq!(v2.origin(), "https://api.tiktalik.com");
        assert_eq!(v2.api_version(), ApiVersion::V2);
        let v1 = Connection::builder("KEY", SECRET)
            .api_version(ApiVersion::V1)
            .build()
            .unwrap();
        assert_eq!(v1.origin(), "https://tiktalik.com");
        assert_eq!(ApiVersion::V1.base_path(), "/api/v1/computing");
        assert_eq!(
            v2.loadbalancer_endpoint(),
            ("https://tiktalik.com", "/api/v1/loadbalancer")
        );
        let local = Connection::builder("KEY", SECRET)
            .origin("http://127.0.0.1:1")
            .build()
            .unwrap();
        assert_eq!(
            local.loadbalancer_endpoint(),
            ("http://127.0.0.1:1", "/api/v1/loadbalancer")
        );
        let split = Connection::builder("KEY", SECRET)
            .origin("http://127.0.0.1:1")
            .loadbalancer_origin("http://127.0.0.1:2")
            .loadbalancer_base_path("/lb/")
            .build()
            .unwrap();
        assert_eq!(split.loadbalancer_endpoint(), ("http://127.0.0.1:2", "/lb"));
        for bad in ["lb", "/lb?x", "/a//b"] {
            let err = Connection::builder("KEY", SECRET)
                .loadbalancer_base_path(bad)
                .build()
                .unwrap_err();
            assert!(err.to_string().contains("base path"), "{err}");
        }
    }

    #[test]
    fn bad_settings_fail_at_build() {
        let err = Connection::builder("KEY", "%%%").build().unwrap_err();
        assert!(err.to_string().contains("base64"), "{err}");
        let err = Connection::builder("KEY", SECRET)
            .proxy("not a proxy ://")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("proxy"), "{err}");
        let err = Connection::builder("KEY", SECRET)
            .user_agent("bad\nagent")
            .build()
            .unwrap_err();
        assert!(err.to_string().contains("user agent"), "{err}");
        assert!(
            Connection::builder("KEY", SECRET)
                .no_proxy()
                .build()
                .is_ok()
        );
    }

    #[test]
    fn environment_is_read() {
        let env = |vars: &'static [(&'static str, &'static str)]| {
            CredentialSources::new()
                .auth_file("/nonexistent/tiktalik-auth")
                .env_lookup(move |name| {
                    vars.iter()
                        .find(|(k, _)| *k == name)
                        .map(|(_, v)| v.to_string())
                })
        };
        let conn = ConnectionBuilder::from_sources(&env(&[
            ("TIKTALIK_API_KEY", "KEY"),
            ("TIKTALIK_API_SECRET", SECRET),
            ("TIKTALIK_API_URL", "http://127.0.0.1:9/"),
        ]))
        .unwrap()
        .build()
        .unwrap();
        assert_eq!(conn.origin(), "http://127.0.0.1:9");
        assert_eq!(conn.credentials().api_key(), "KEY");

        let err =
            ConnectionBuilder::from_sources(&env(&[("TIKTALIK_API_SECRET", SECRET)])).unwrap_err();
        assert!(
            err.to_string().contains("only one of TIKTALIK_API_KEY"),
            "{err}"
        );
        let err = ConnectionBuilder::from_sources(&env(&[])).unwrap_err();
        assert!(
            err.to_string()
                .contains("TIKTALIK_KEY and TIKTALIK_SECRET (not set)"),
            "{err}"
        );
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let builder = Connection::builder("KEY", SECRET).origin("http://127.0.0.1:1");
        let text = format!("{builder:?}");
        assert!(
            !text.contains(SECRET) && text.contains("<redacted>"),
            "{text}"
        );
        let conn = builder.build().unwrap();
        let text = format!("{conn:?}");
        assert!(
            !text.contains(SECRET) && text.contains("<redacted>"),
            "{text}"
        );
    }
}
