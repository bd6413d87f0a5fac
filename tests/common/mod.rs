//! Helpers the browser tests share: the local service's URL and admin token from the build, JSON and field reading, admin requests.
#![allow(dead_code)]

use gloo_net::http::Request;
use wasm_bindgen::JsValue;
use wasm_bindgen_test::console_log;

/// The local service's URL from the build; `None` (skipped) only when the suite does not require it.
pub fn server() -> Option<&'static str> {
    let url = option_env!("BOOKTAX_TEST_URL");
    if url.is_none() {
        assert!(
            option_env!("BOOKTAX_TEST_REQUIRED").is_none(),
            "BOOKTAX_TEST_URL is not set, and BOOKTAX_TEST_REQUIRED says these tests must run"
        );
        console_log!("skipped: BOOKTAX_TEST_URL is not set (cargo xtask test sets it)");
    }
    url
}

/// Parses test JSON.
pub fn json(text: &str) -> JsValue {
    js_sys::JSON::parse(text).expect("test JSON")
}

/// `value[key]` as text, `""` when it is none.
pub fn text(value: &JsValue, key: &str) -> String {
    js_sys::Reflect::get(value, &key.into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

/// The run's test-admin token (`cargo xtask test` gives the service and these tests the same one).
pub const ADMIN_TOKEN: &str = match option_env!("BOOKTAX_TEST_ADMIN_TOKEN") {
    Some(t) => t,
    None => "",
};

/// POSTs JSON to a test-admin endpoint, with the run's token (the service allows this test page's origin).
pub async fn admin_post(base: &str, what: &str, body: &str) {
    let response = Request::post(&format!("{base}/__admin/{what}"))
        .header("content-type", "application/json")
        .header("x-booktax-admin-token", ADMIN_TOKEN)
        .body(body)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert!(response.ok(), "admin {what}: {}", response.status());
}
