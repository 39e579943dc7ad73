//! The prototype's web app: one page a person can click through, every
//! decision made by the `prototype` library the scenarios verified.
//!
//! Written by wow: it rewrites this file on every run. The page itself is
//! `app/page.rs` (`page::App`); this file only serves it. Start it with
//! `wow app` (sandboxed, behind wow's own server), or with
//! `cargo run --features app` (then open http://127.0.0.1:8080,
//! or set `PORT`).
//!
//! HTTP: `GET` (any path) shows the page; `POST` (any path) hands the
//! submitted form (`application/x-www-form-urlencoded`) to
//! `App::submit`, then answers `303 See Other` back to the page, which
//! shows what happened. The app keeps its state in memory, needs no login
//! and loads nothing from elsewhere.

mod page;

use std::io::{self, BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd as _;
use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

/// Longest request head (request line and headers) read, in bytes.
const MAX_HEAD: usize = 16 * 1024;
/// Longest form body read, in bytes.
const MAX_BODY: usize = 64 * 1024;

/// The fields of a submitted form, in the order the browser sent them
/// (`application/x-www-form-urlencoded`, decoded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    fields: Vec<(String, String)>,
}

impl Form {
    /// Decodes `name=value&…` (the body of a form sent with `POST`).
    pub fn parse(body: &[u8]) -> Self {
        Self {
            fields: form_urlencoded::parse(body).into_owned().collect(),
        }
    }

    /// The value of the first field named `name`, trimmed.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim())
    }

    /// Every value of the fields named `name` (checkboxes), trimmed.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields
            .iter()
            .filter(move |(n, _)| n == name)
            .map(|(_, v)| v.trim())
    }

    /// Which button sent the form: the value of its `action` field
    /// (`<button name="action" value="withdraw">`), or `""`.
    pub fn action(&self) -> &str {
        self.get("action").unwrap_or("")
    }
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for HTML text and
/// attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// What the last form did, shown once at the top of the page.
enum Notice {
    Done(String),
    Refused(String),
}

fn main() {
    let listener = inherited().unwrap_or_else(|| {
        let port = std::env::var("PORT").unwrap_or_else(|_| "8080".to_owned());
        let listener = TcpListener::bind(format!("127.0.0.1:{port}"))
            .unwrap_or_else(|e| panic!("cannot listen on 127.0.0.1:{port}: {e} (set PORT)"));
        if let Ok(address) = listener.local_addr() {
            println!("the prototype's app: http://{address}/");
        }
        listener
    });
    // Messages of a panic go to the page, not to stderr.
    panic::set_hook(Box::new(|_| {}));
    let mut app = page::App::new();
    let mut notice = None;
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let _ = serve(stream, &mut app, &mut notice);
    }
}

/// The listening socket `wow app` hands over as stdin, if it is one.
fn inherited() -> Option<TcpListener> {
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    let listener = TcpListener::from(fd);
    listener.local_addr().ok().map(|_| listener)
}

/// Answers one request on `stream`, then closes it.
fn serve(stream: TcpStream, app: &mut page::App, notice: &mut Option<Notice>) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") && !head.ends_with(b"\n\n") {
        let read = (&mut reader)
            .take((MAX_HEAD - head.len()) as u64)
            .read_until(b'\n', &mut head)?;
        if read == 0 || head.len() >= MAX_HEAD {
            return respond(stream, "400 Bad Request", "", "bad request");
        }
    }
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    if !matches!(request.parse(&head), Ok(httparse::Status::Complete(_))) {
        return respond(stream, "400 Bad Request", "", "bad request");
    }
    let method = request.method.unwrap_or("GET").to_owned();
    let path = request.path.unwrap_or("/").to_owned();
    let length = request
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .and_then(|h| std::str::from_utf8(h.value).ok())
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    if path.ends_with("favicon.ico") {
        return respond(stream, "404 Not Found", "", "");
    }
    match method.as_str() {
        "POST" if length <= MAX_BODY => {
            let mut body = vec![0; length];
            reader.read_exact(&mut body)?;
            let form = Form::parse(&body);
            *notice = Some(
                match panic::catch_unwind(AssertUnwindSafe(|| app.submit(&form))) {
                    Ok(Ok(done)) => Notice::Done(done),
                    Ok(Err(refused)) => Notice::Refused(refused),
                    Err(panic) => Notice::Refused(format!(
                        "the prototype stopped with an error: {}",
                        panic_message(panic.as_ref())
                    )),
                },
            );
            respond(stream, "303 See Other", "Location: ./\r\n", "")
        }
        "POST" => respond(stream, "413 Content Too Large", "", "form too large"),
        "GET" | "HEAD" => {
            let page = document(app, notice.take());
            respond(stream, "200 OK", "", &page)
        }
        _ => respond(stream, "405 Method Not Allowed", "Allow: GET, POST\r\n", ""),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".to_owned())
}

/// The whole page: the app's title and body inside one self-contained
/// document.
fn document(app: &page::App, notice: Option<Notice>) -> String {
    let rendered = panic::catch_unwind(AssertUnwindSafe(|| (app.title(), app.render())));
    let (title, body) = match rendered {
        Ok(parts) => parts,
        Err(panic) => (
            "The prototype".to_owned(),
            format!(
                "<p class=\"refused\">The page could not be drawn: {}</p>",
                escape(&panic_message(panic.as_ref()))
            ),
        ),
    };
    let notice = match notice {
        Some(Notice::Done(text)) if !text.is_empty() => {
            format!("<p class=\"notice done\" role=\"status\">{}</p>", escape(&text))
        }
        Some(Notice::Refused(text)) => {
            format!("<p class=\"notice refused\" role=\"alert\">{}</p>", escape(&text))
        }
        _ => String::new(),
    };
    format!(
        "<!doctype html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header><h1>{title}</h1></header>\n{notice}\n<main>\n{body}\n</main>\n</body>\n</html>\n",
        title = escape(&title),
    )
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:60rem;margin:1.5rem auto;padding:0 1rem;color:#1f2328;line-height:1.45}h1{font-size:1.6rem;margin:.2rem 0 1rem}h2{font-size:1.2rem;margin:1.4rem 0 .5rem}section{border:1px solid #d0d7de;border-radius:8px;padding:.8rem 1rem;margin:1rem 0}form{display:flex;flex-wrap:wrap;gap:.5rem;align-items:end;margin:.5rem 0}label{display:flex;flex-direction:column;font-size:.9rem;gap:.2rem}input,select{font:inherit;padding:.3rem .45rem;border:1px solid #8c959f;border-radius:6px}button{font:inherit;padding:.35rem .9rem;border-radius:6px;border:1px solid #1f6feb;background:#1f6feb;color:#fff;cursor:pointer}table{border-collapse:collapse;margin:.5rem 0}td,th{border-bottom:1px solid #d0d7de;padding:.3rem .6rem;text-align:left}.notice{padding:.6rem .9rem;border-radius:6px}.done{background:#dafbe1;border:1px solid #4ac26b}.refused{background:#ffebe9;border:1px solid #ff8182}";

/// Writes a whole response and closes the connection.
fn respond(mut stream: TcpStream, status: &str, extra: &str, body: &str) -> io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    )?;
    stream.flush()
}
