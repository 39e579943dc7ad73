//! The tools the browser tests need (Chromium; Node.js and the npm
//! packages of `tests/tools`), checked when `cargo test` starts: without
//! them the run stops at once with what to install, instead of failing
//! after every prototype-building test has run. The module is named to
//! sort first: libtest starts tests in name order.

#[test]
fn chromium_node_and_the_cucumber_tools_are_installed() {
    crate::support::stop_without_tools();
    assert_eq!(crate::support::missing_tools(), Vec::<String>::new());
}
