//! Turns an HTTP answer (status, parsed JSON) into a typed value or a typed error.

use crate::core::lookup::endpoint::Endpoint;
use crate::core::lookup::error::LookupError;
use crate::core::schema::{Envelope, SchemaError};
use serde::de::DeserializeOwned;

/// A parsed response body that the typed readers can look into.
pub trait Body {
    /// Reads the body as `T`.
    ///
    /// # Errors
    ///
    /// A [`SchemaError`] naming the field that does not fit.
    fn read<T: DeserializeOwned>(&self) -> Result<T, SchemaError>;
}

/// Turns an HTTP answer into a typed value or a typed error.
///
/// `body` is the body parsed as JSON, or the parser's complaint.
///
/// # Errors
///
/// As [`check_response`], then [`LookupError::Malformed`] when the body does not fit `T`.
pub fn read_response<T: DeserializeOwned, B: Body>(
    endpoint: &Endpoint,
    status: u16,
    retry_after_ms: Option<u64>,
    body: Result<B, String>,
) -> Result<T, LookupError> {
    read_body(&check_response(endpoint, status, retry_after_ms, body)?)
}

/// Checks an HTTP answer's status, JSON and result code; the body is read by [`read_body`].
///
/// Kept apart from the typed reading so that the fetching and retrying code
/// exists once in the wasm, not once per response type.
///
/// # Errors
///
/// [`LookupError::NotFound`] for 404, [`LookupError::Http`] for 429, 5xx and
/// other failures without the service's own error body, [`LookupError::Api`]
/// for a result `code` other than 0, [`LookupError::Malformed`] for a 2xx
/// body that is not JSON or has no readable `code`.
pub fn check_response<B: Body>(
    endpoint: &Endpoint,
    status: u16,
    retry_after_ms: Option<u64>,
    body: Result<B, String>,
) -> Result<B, LookupError> {
    if status == 404 {
        return Err(LookupError::NotFound(endpoint.missing()));
    }
    let ok_status = (200..300).contains(&status);
    let http = LookupError::Http {
        status,
        retry_after_ms,
    };
    // 429 and 5xx are retried whatever their body says.
    if status == 429 || status >= 500 {
        return Err(http);
    }
    let body = match body {
        Ok(b) => b,
        Err(_) if !ok_status => return Err(http),
        Err(detail) => {
            return Err(LookupError::Malformed {
                field: "(body)".to_string(),
                detail: format!("不是 JSON：{detail}"),
            });
        }
    };
    let envelope: Envelope = match body.read() {
        Ok(e) => e,
        Err(_) if !ok_status => return Err(http),
        Err(e) => {
            return Err(LookupError::Malformed {
                field: e.field,
                detail: e.detail,
            });
        }
    };
    if envelope.code != 0 {
        return Err(LookupError::Api {
            code: envelope.code,
            message: envelope.message,
        });
    }
    if !ok_status {
        return Err(http);
    }
    Ok(body)
}

/// Reads a checked body as its response type.
///
/// # Errors
///
/// [`LookupError::Malformed`] naming the field that does not fit.
pub fn read_body<T: DeserializeOwned, B: Body>(body: &B) -> Result<T, LookupError> {
    body.read().map_err(|e| LookupError::Malformed {
        field: e.field,
        detail: e.detail,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::lookup::error::Missing;
    use crate::core::schema::{
        DailyResponse, DateField, IsbnResponse, PolicyExpiryDateResponse, read_schema,
    };

    /// A body parsed by serde_json, as the native tests have it.
    pub(crate) struct Json(pub serde_json::Value);

    impl Body for Json {
        fn read<T: DeserializeOwned>(&self) -> Result<T, SchemaError> {
            read_schema(self.0.clone())
        }
    }

    fn body(s: &str) -> Result<Json, String> {
        serde_json::from_str(s).map(Json).map_err(|e| e.to_string())
    }

    fn isbn_endpoint() -> Endpoint {
        Endpoint::Isbn("9789576780004".into())
    }

    #[test]
    fn responses_become_values_or_typed_errors() {
        let ok: PolicyExpiryDateResponse = read_response(
            &Endpoint::PolicyExpiryDate,
            200,
            None,
            body(r#"{"code":0,"policy_expiry_date":"20260228"}"#),
        )
        .unwrap();
        assert_eq!(ok.policy_expiry_date, DateField::parse("20260228"));

        let e =
            read_response::<IsbnResponse, _>(&isbn_endpoint(), 404, None, body("")).unwrap_err();
        assert_eq!(e, LookupError::NotFound(Missing::Code));
        assert_eq!(e.to_string(), "不在文化部認可公告清單中");
        let e =
            read_response::<DailyResponse, _>(&Endpoint::Today, 404, None, body("")).unwrap_err();
        assert_eq!(e.to_string(), "該日尚無公告");

        let e = read_response::<IsbnResponse, _>(
            &isbn_endpoint(),
            200,
            None,
            body(r#"{"code":1001,"message":"查詢次數超過上限"}"#),
        )
        .unwrap_err();
        assert_eq!(e.code(), "api_error");
        assert!(e.to_string().contains("查詢次數超過上限") && e.to_string().contains("1001"));

        // A non-2xx answer with the service's own error body keeps its message.
        let e = read_response::<IsbnResponse, _>(
            &isbn_endpoint(),
            401,
            None,
            body(r#"{"code":401,"message":"appid 錯誤"}"#),
        )
        .unwrap_err();
        assert_eq!(e.code(), "api_error");

        let e = read_response::<IsbnResponse, _>(&isbn_endpoint(), 503, Some(1000), body("<html>"))
            .unwrap_err();
        assert_eq!(
            e,
            LookupError::Http {
                status: 503,
                retry_after_ms: Some(1000)
            }
        );
        let e = read_response::<IsbnResponse, _>(&isbn_endpoint(), 403, None, body("<html>"))
            .unwrap_err();
        assert_eq!(e.code(), "http_error");
        assert!(!e.is_retryable());

        let e = read_response::<IsbnResponse, _>(&isbn_endpoint(), 200, None, body("<html>"))
            .unwrap_err();
        assert!(
            matches!(&e, LookupError::Malformed { field, .. } if field == "(body)"),
            "{e:?}"
        );
        let e = read_response::<IsbnResponse, _>(
            &isbn_endpoint(),
            200,
            None,
            body(r#"{"code":0,"data":"x"}"#),
        )
        .unwrap_err();
        assert!(
            matches!(&e, LookupError::Malformed { field, .. } if field == "data"),
            "{e:?}"
        );
        assert!(e.to_string().contains("data"));
        let e = read_response::<IsbnResponse, _>(
            &isbn_endpoint(),
            200,
            None,
            body(r#"{"code":"zero"}"#),
        )
        .unwrap_err();
        assert!(
            matches!(&e, LookupError::Malformed { field, .. } if field == "code"),
            "{e:?}"
        );
    }
}
