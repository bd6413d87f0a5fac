//! URL pieces: reading query parameters, percent-encoding and decoding.

/// Decodes `%XX` escapes (and `+` as space when `plus` is set); `None` for a bad escape or non-UTF-8.
pub fn percent_decode(s: &str, plus: bool) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' if plus => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Encodes everything but RFC 3986 unreserved characters.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The first value of query parameter `name`, decoded.
pub fn param(query: &str, name: &str) -> Option<String> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| percent_decode(k, true).as_deref() == Some(name))
        .and_then(|(_, v)| percent_decode(v, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_reads() {
        assert_eq!(
            param("x=1&appid=a%20b&appid=c", "appid").as_deref(),
            Some("a b")
        );
        assert_eq!(param("apid=1", "appid"), None);
        assert_eq!(param("appid", "appid").as_deref(), Some(""));
        assert_eq!(param("appid=%zz", "appid"), None);
    }

    #[test]
    fn decode_and_encode() {
        assert_eq!(percent_decode("%2e%2E/x", false).as_deref(), Some("../x"));
        assert_eq!(percent_decode("a+b", true).as_deref(), Some("a b"));
        assert_eq!(percent_decode("a+b", false).as_deref(), Some("a+b"));
        assert_eq!(percent_decode("%", false), None);
        assert_eq!(percent_decode("%ff", false), None);
        assert_eq!(percent_encode("a b&c=d/讀"), "a%20b%26c%3Dd%2F%E8%AE%80");
        assert_eq!(
            percent_decode(&percent_encode("a b&讀"), false).as_deref(),
            Some("a b&讀")
        );
    }

    #[test]
    fn drops_a_parameter() {}
}
