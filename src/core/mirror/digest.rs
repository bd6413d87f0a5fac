//! An order-free digest of a mirror's records: the same bytes natively (the service's truth) and in the browser (the mirror), no JSON library needed.
//!
//! Each record is written field by field in a fixed order, hashed with 64-bit
//! FNV-1a, and the hashes are summed: the digest does not depend on the order a
//! store hands records out in.

use crate::core::schema::{DateField, Ean, Isbn};

/// The running digest of a set of records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Digest {
    /// Records added.
    pub count: u64,
    /// The wrapping sum of their hashes.
    pub sum: u64,
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn push(out: &mut String, field: Option<&str>) {
    out.push_str(field.unwrap_or("\u{0}"));
    out.push('\u{1f}');
}

fn date(field: &DateField) -> Option<String> {
    match field {
        DateField::Absent => None,
        DateField::Date(d) => Some(crate::core::taipei::format_yyyymmdd(*d)),
        DateField::Invalid(s) => Some(format!("?{s}")),
    }
}

/// A book's fields in a fixed order.
fn write_isbn(out: &mut String, b: &Isbn) {
    push(out, Some(&b.isbn));
    push(out, b.isbn_13.as_deref());
    push(out, b.isbn_10.as_deref());
    push(out, b.title.as_deref());
    push(out, b.publisher.as_deref());
    push(out, b.kind.as_ref().map(|k| k.as_str()));
    push(out, b.case_type.as_ref().map(|k| k.as_str()));
    push(out, b.include_ebook.map(|e| if e { "1" } else { "0" }));
    push(out, b.status.as_ref().map(|s| s.as_str()));
    push(out, date(&b.approved_effective_date).as_deref());
    push(out, date(&b.revoked_effective_date).as_deref());
}

impl Digest {
    /// Adds a book stored under `key`.
    pub fn add_isbn(&mut self, key: &str, book: &Isbn) {
        let mut out = format!("i{key}\u{1e}");
        write_isbn(&mut out, book);
        self.add(&out);
    }

    /// Adds a boxed set stored under `key`, with its books.
    pub fn add_ean(&mut self, key: &str, set: &Ean) {
        let mut out = format!("e{key}\u{1e}");
        push(&mut out, Some(&set.ean));
        push(&mut out, set.title.as_deref());
        push(&mut out, set.status.as_ref().map(|s| s.as_str()));
        push(&mut out, date(&set.created_date).as_deref());
        push(&mut out, date(&set.deleted_date).as_deref());
        for book in set.isbns.iter().flatten() {
            out.push('\u{1e}');
            write_isbn(&mut out, book);
        }
        self.add(&out);
    }

    fn add(&mut self, canonical: &str) {
        self.count += 1;
        self.sum = self.sum.wrapping_add(fnv1a(canonical.as_bytes()));
    }

    /// `count-sum` in hex, as tests compare it.
    pub fn text(&self) -> String {
        format!("{}-{:016x}", self.count, self.sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_free_and_field_sensitive() {
        let a = Isbn {
            isbn: "9789576780004".into(),
            ..Isbn::default()
        };
        let b = Isbn {
            title: Some("書".into()),
            ..a.clone()
        };
        let (mut one, mut two) = (Digest::default(), Digest::default());
        one.add_isbn("9789576780004", &a);
        one.add_isbn("9789869900003", &b);
        two.add_isbn("9789869900003", &b);
        two.add_isbn("9789576780004", &a);
        assert_eq!(one, two);
        let mut three = Digest::default();
        three.add_isbn("9789576780004", &a);
        three.add_isbn("9789869900003", &a);
        assert_ne!(one, three);
        assert_eq!(one.count, 2);
    }
}
