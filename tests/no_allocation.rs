//! The till's path allocates nothing: reading a code and deciding a book write no text until asked.
#![cfg(not(target_arch = "wasm32"))]

use booktax::core::code::read_code;
use booktax::core::rules::{Checkout, Format, Verdict, decide_isbn};
use booktax::core::schema::Isbn;
use booktax::core::taipei::parse_yyyymmdd;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting this thread's allocations.
struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is passed on to `System` unchanged; counting touches only a const-initialised
// thread-local `Cell`, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: the caller's contract for `alloc`, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract for `dealloc`, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// How many times `f` allocated on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

#[test]
fn reading_codes_and_deciding_books_allocate_nothing() {
    let inputs = [
        "9789576780004",
        "978-957-678-000-4",
        "ISBN：957-678-000-4",
        "９７８９８６０４７７２２１",
        "080442957X",
        "978957678000490000",
        "8667106506069",
        "9789576780005",
        "0804429571",
        "97895767800",
        "97895767800O4",
        "",
    ];
    let book = |json: &str| -> Isbn { serde_json::from_str(json).unwrap() };
    let records = [
        book(r#"{"status":"approved","kind":"實體","approved_effective_date":"20210301"}"#),
        book(r#"{"status":"approved","kind":"實體","approved_effective_date":"20270101"}"#),
        book(
            r#"{"status":"revoked","kind":"實體","approved_effective_date":"20210301","revoked_effective_date":"20240301"}"#,
        ),
        book(r#"{"status":"applying"}"#),
        book(r#"{"status":"expired"}"#),
        book(r#"{"kind":"實體"}"#),
        book(r#"{"status":"approved","kind":"電子","approved_effective_date":"20210301"}"#),
    ];
    let day = parse_yyyymmdd("20261124").unwrap();
    let checkouts = [
        Checkout::new(Some("20310228"), day, None),
        Checkout::new(Some("20310228"), day, Some(Format::Physical)),
        Checkout::new(Some("20260101"), day, None),
        Checkout::new(None, day, None),
    ];

    let mut read = 0;
    let mut exempt = 0;
    let count = allocations(|| {
        for input in inputs {
            read += usize::from(read_code(input).is_ok());
        }
        for record in &records {
            for at in &checkouts {
                exempt += usize::from(decide_isbn(record, at).verdict == Verdict::Exempt);
            }
        }
    });
    assert_eq!(count, 0, "allocations on the till's path");
    assert_eq!((read, exempt), (7, 3));

    // Asked for, the words are written then (and the count sees it).
    let d = decide_isbn(&records[0], &checkouts[0]);
    assert!(allocations(|| drop(d.message())) > 0);
    assert_eq!(
        d.message(),
        "免稅（認可生效 2021-03-01 起，至 2031-02-28 止）"
    );
}
