//! The clickable prototype: `wow app` serves the bundled example's page,
//! which headless Chromium fills in and submits (the page shows the
//! library's answer; a screenshot is kept in `target/wow-artifacts/`); a
//! hostile page cannot connect out, listen on another port, or read or
//! write outside its folder, and the same page without the sandbox can
//! (so the test is not blind).

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Wow, chromium, shared_target_dir};

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/wow-artifacts");
    std::fs::create_dir_all(&dir).expect("create target/wow-artifacts");
    dir
}

/// `wow app <args>` running in `wow`'s folder, stopped (with Ctrl-C, so it
/// ends its app too) when dropped.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start(wow: &Wow, args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wow"))
            .current_dir(wow.dir.path())
            .arg("app")
            .args(args)
            .args(["--port", "0"])
            .env("WOW_TARGET_DIR", shared_target_dir())
            .env("CARGO_INCREMENTAL", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start wow app");
        let stdout = child.stdout.take().expect("piped stdout");
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(600);
        let url = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let Ok(line) = receive.recv_timeout(left) else {
                let _ = child.kill();
                let output = child.wait_with_output().expect("wow app ended");
                panic!(
                    "wow app printed no URL: {}",
                    String::from_utf8_lossy(&output.stderr)
                );
            };
            if let Some(at) = line.find("http://") {
                break line[at..].trim().to_owned();
            }
        };
        Self { child, url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Ok(pid) = i32::try_from(self.child.id()) {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGINT,
            );
        }
        let _ = self.child.wait();
    }
}

/// The whole answer to `method path` on `url` (HTTP/1.1, closed after).
fn http(url: &str, method: &str, body: &str) -> String {
    use std::io::{Read as _, Write as _};
    let address = url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut stream = std::net::TcpStream::connect(&address).expect("connect to wow app");
    write!(
        stream,
        "{method} / HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
}

#[test]
fn a_stakeholder_withdraws_cash_in_the_bundled_app_in_chromium() {
    let wow = crate::examples::bundled();
    let served = Served::start(&wow, &["generated/features"]);
    let tools = crate::support::find_cucumber_tools().unwrap_or_else(|missing| panic!("{missing}"));
    let png = artifacts().join("app.png");
    let _ = std::fs::remove_file(&png);
    let output = Command::new("node")
        .current_dir(&tools)
        .arg("app-click.mjs")
        .arg(chromium())
        .arg(&served.url)
        .arg(&png)
        .args([
            "#balance",
            "#banking input[name=amount]",
            "30",
            "#banking button[value=withdraw]",
        ])
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    // The library's answer, as its scenarios verified it: 100 - 30.
    assert_eq!(seen["before"], "100.00 euros", "{seen}");
    assert_eq!(seen["after"], "70.00 euros", "{seen}");
    assert_eq!(
        seen["notice"], "Alice receives 30.00 euros in cash.",
        "{seen}"
    );
    let requests = seen["requests"].as_array().expect("requests");
    assert!(
        requests
            .iter()
            .all(|r| r.as_str().is_some_and(|r| r.starts_with(&served.url))),
        "every request stays on wow's server: {seen}"
    );
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        bytes.len() > 50_000,
        "a page, not a blank: {} bytes",
        bytes.len()
    );

    // A refusal comes from the library too, and wow's server keeps the
    // page contained.
    let refused = http(&served.url, "POST", "action=withdraw&amount=1000");
    assert!(refused.starts_with("HTTP/1.1 303"), "{refused}");
    let page = http(&served.url, "GET", "");
    assert!(page.contains("insufficient funds"), "{page}");
    assert!(
        page.to_ascii_lowercase()
            .contains("content-security-policy: sandbox allow-forms;"),
        "{page}"
    );
}

/// A page that tries, on every render, what an app must never do, and
/// shows what happened: `connect=…`, `bind=…`, `read=…`, `write=…`,
/// `scratch=…` (writing its own scratch folder, which it may), `exec=…`.
fn hostile_page(listener: &str, secret: &Path, outside: &Path) -> String {
    let secret = format!("{:?}", secret.display().to_string());
    let outside = format!("{:?}", outside.display().to_string());
    format!(
        r#"//! A hostile page (written by hand for this test).
use crate::{{escape, Form}};

pub struct App;

fn outcome<T, E: std::fmt::Display>(result: Result<T, E>) -> String {{
    match result {{
        Ok(_) => "allowed".to_owned(),
        Err(error) => format!("denied ({{error}})"),
    }}
}}

impl App {{
    pub fn new() -> Self {{
        App
    }}

    pub fn title(&self) -> String {{
        "Hostile".to_owned()
    }}

    pub fn render(&self) -> String {{
        let connect = outcome(std::net::TcpStream::connect({listener:?}));
        let bind = outcome(std::net::TcpListener::bind("127.0.0.1:0"));
        let read = outcome(std::fs::read_to_string({secret}));
        let write = outcome(std::fs::write({outside}, "escaped"));
        let home = std::env::var("HOME").unwrap_or_default();
        let scratch = outcome(std::fs::write(format!("{{home}}/mine.txt"), "ok"));
        // Becoming another program (its own copy here; any file it writes
        // would do) hands native code every call the sandbox allows.
        let exec = if std::env::args().any(|a| a == "again") {{
            "allowed".to_owned()
        }} else {{
            use std::os::unix::process::CommandExt as _;
            let error = std::process::Command::new(format!("{{home}}/../app"))
                .arg("again")
                .exec();
            format!("denied ({{error}})")
        }};
        escape(&format!(
            "connect={{connect}};bind={{bind}};read={{read}};write={{write}};scratch={{scratch}};exec={{exec}};"
        ))
    }}

    pub fn submit(&mut self, _form: &Form) -> Result<String, String> {{
        Ok(String::new())
    }}
}}
"#
    )
}

/// What the hostile page says about `what`.
fn outcome<'a>(page: &'a str, what: &str) -> &'a str {
    let start = page
        .find(&format!("{what}="))
        .unwrap_or_else(|| panic!("no `{what}` in the page: {page}"));
    let rest = &page[start + what.len() + 1..];
    &rest[..rest.find(';').unwrap_or(rest.len())]
}

#[test]
fn a_hostile_app_cannot_connect_listen_read_or_write_outside_its_folder() {
    let outside_dir = tempfile::tempdir().expect("a temp folder");
    let secret = outside_dir.path().join("secret.txt");
    std::fs::write(&secret, "the secret").expect("write the secret");
    let escaped = outside_dir.path().join("escaped.txt");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a listener");
    listener.set_nonblocking(true).expect("non-blocking");
    let address = listener.local_addr().expect("its address").to_string();
    let page = hostile_page(&address, &secret, &escaped);
    let wow = crate::examples::bundled().file("generated/features/app/page.rs", &page);
    std::fs::remove_dir_all(wow.path("generated/features/app/page")).expect("only the page");
    let seen = {
        let served = Served::start(&wow, &["generated/features", "--sandbox", "on"]);
        http(&served.url, "GET", "")
    };
    for what in ["connect", "bind", "read", "write", "exec"] {
        assert!(
            outcome(&seen, what).starts_with("denied"),
            "the sandboxed app could {what}: {seen}"
        );
    }
    assert_eq!(outcome(&seen, "scratch"), "allowed", "{seen}");
    assert!(
        listener.accept().is_err(),
        "no connection reached the outside listener"
    );
    assert!(!escaped.exists(), "the app wrote outside its folder");
    assert!(!seen.contains("the secret"));

    // The same page without the sandbox does all of it: the check sees.
    let open = {
        let served = Served::start(&wow, &["generated/features", "--sandbox", "off"]);
        // The first answer is lost when the app becomes its copy.
        let _ = http(&served.url, "GET", "");
        http(&served.url, "GET", "")
    };
    for what in ["connect", "bind", "read", "write", "exec"] {
        assert_eq!(outcome(&open, what), "allowed", "{what}: {open}");
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(listener.accept().is_ok(), "the unsandboxed app connected");
    assert_eq!(
        std::fs::read_to_string(&escaped).expect("written without the sandbox"),
        "escaped"
    );
}

/// Native code in the app's sandbox (Python's `ctypes`, through the
/// launcher with the app's rules) tries what safe Rust cannot: clear its
/// parent-death signal, leave its process group, and turn the listener it
/// inherits into a client (TCP Fast Open after a shutdown, `connect`).
const NATIVE: &str = r#"
import ctypes, socket, struct
libc = ctypes.CDLL(None, use_errno=True)
def outcome(result):
    return "allowed" if result >= 0 else "denied(%d)" % ctypes.get_errno()
port = int(__import__("sys").argv[1])
address = struct.pack("=HH4s8x", socket.AF_INET, socket.htons(port), socket.inet_aton("127.0.0.1"))
print("pdeathsig=" + outcome(libc.prctl(1, 0, 0, 0, 0)) + ";")
print("pdeathsig_high=" + outcome(libc.syscall(157, 0x100000001, 0, 0, 0, 0)) + ";")
print("setpgid=" + outcome(libc.setpgid(0, 0)) + ";")
print("setsid=" + outcome(libc.setsid()) + ";")
libc.shutdown(0, socket.SHUT_RD)
print("fastopen=" + outcome(libc.sendto(0, b"escaped", 7, 0x20000000, address, len(address))) + ";")
print("connect=" + outcome(libc.connect(0, address, len(address))) + ";")
"#;

#[test]
fn native_code_in_the_apps_sandbox_cannot_connect_or_outlive_wow() {
    let Some(python) = ["/usr/bin/python3", "/bin/python3"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        panic!(
            "this test runs native code through Python's ctypes: install python3 \
             (`apt-get install -y --no-install-recommends python3`, as `.ci/run` does)"
        );
    };
    let outside = std::net::TcpListener::bind("127.0.0.1:0").expect("a listener");
    outside.set_nonblocking(true).expect("non-blocking");
    let port = outside
        .local_addr()
        .expect("its address")
        .port()
        .to_string();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("the app's listener");
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let policy = serde_json::json!({
        "budget": {"timeout_secs": 0, "cpu_secs": 60, "memory_mb": 1024, "file_size_mb": 16,
                   "open_files": 256, "processes": 64},
        "exec": ["/usr", "/lib", "/lib64", "/bin"],
        "read": ["/etc/ld.so.cache"],
        "write": [scratch.path(), "/dev/null"],
        "network": false,
        "processes": false,
        "die_with_parent": true
    });
    let output = Command::new(env!("CARGO_BIN_EXE_wow"))
        .arg("__sandbox")
        .arg(policy.to_string())
        .args(["--", python, "-I", "-c", NATIVE, &port])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .stdin(Stdio::from(std::os::fd::OwnedFd::from(listener)))
        .output()
        .expect("run the launcher");
    let seen = String::from_utf8_lossy(&output.stdout).into_owned();
    let said = String::from_utf8_lossy(&output.stderr);
    for what in [
        "pdeathsig",
        "pdeathsig_high",
        "setpgid",
        "setsid",
        "fastopen",
        "connect",
    ] {
        assert!(
            seen.contains(&format!("{what}=")) && outcome(&seen, what).starts_with("denied"),
            "native code could {what}: {seen}{said}"
        );
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(outside.accept().is_err(), "a connection got out: {seen}");
}

#[test]
fn descriptors_wow_inherited_do_not_reach_a_contained_program() {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let secret = scratch.path().join("inherited.txt");
    std::fs::write(&secret, "the secret").expect("write");
    // Open without close-on-exec, the way a careless parent of wow leaves
    // a descriptor: duplicated onto a high number by the shell.
    let policy = serde_json::json!({
        "budget": {"timeout_secs": 0, "cpu_secs": 60, "memory_mb": 1024, "file_size_mb": 16,
                   "open_files": 256, "processes": 64},
        "exec": ["/usr", "/lib", "/lib64", "/bin"],
        "read": ["/etc/ld.so.cache"],
        "write": ["/dev/null"],
        "network": false,
        "processes": false,
        "die_with_parent": false
    });
    let script = format!(
        "exec 7<{} && exec {} __sandbox '{}' -- /bin/sh -c 'read line <&7; echo \"$line\"' 2>&1",
        secret.display(),
        env!("CARGO_BIN_EXE_wow"),
        policy
    );
    let output = Command::new("/bin/sh")
        .args(["-c", &script])
        .output()
        .expect("run the launcher");
    let seen = String::from_utf8_lossy(&output.stdout);
    assert!(
        !seen.contains("the secret"),
        "descriptor 7 reached it: {seen}"
    );
}
