//! The inputs the native benchmarks read: a million mixed codes, the same for every run and every peer.

/// An EAN-13 check digit appended to twelve digits.
fn with_check(first12: u64) -> String {
    let s = format!("{first12:012}");
    let sum: u32 = s
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 1 { 3 } else { 1 })
        .sum();
    format!("{s}{}", (10 - sum % 10) % 10)
}

/// `n` inputs as a till and a stock list give them: ISBN-13 (some hyphenated), ISBN-10, boxed-set
/// EANs, bad check digits and letters, from a fixed seed.
pub fn mixed_inputs(n: usize) -> Vec<String> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        // splitmix64
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|_| {
            let r = next();
            let isbn = with_check(978_957_000_000 + r % 1_000_000);
            match (r >> 20) % 100 {
                0..=59 => isbn,
                60..=69 => format!(
                    "{}-{}-{}-{}",
                    &isbn[..3],
                    &isbn[3..6],
                    &isbn[6..12],
                    &isbn[12..]
                ),
                70..=79 => {
                    let body = &isbn[3..12];
                    let sum: u32 = body
                        .bytes()
                        .enumerate()
                        .map(|(i, b)| u32::from(b - b'0') * (10 - i as u32))
                        .sum();
                    let c = (11 - sum % 11) % 11;
                    format!(
                        "{body}{}",
                        if c == 10 {
                            "X".to_string()
                        } else {
                            c.to_string()
                        }
                    )
                }
                80..=87 => with_check(471_000_000_000 + r % 1_000_000_000),
                88..=95 => format!(
                    "{}{}",
                    &isbn[..12],
                    (u32::from(isbn.as_bytes()[12] - b'0') + 1) % 10
                ),
                _ => format!("97895{}", r % 10_000),
            }
        })
        .collect()
}
