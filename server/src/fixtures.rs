//! The named fixtures: books and boxed sets in every status the rules know, always present in sample mode.

use crate::sample::add_days;
use booktax::core::taipei::parse_yyyymmdd;
use chrono::NaiveDate;

/// A fixture date: none, a fixed (possibly invalid) `YYYYMMDD` text, or days from today (Taipei).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    None,
    Fixed(&'static str),
    FromToday(i64),
}

impl When {
    /// The date it names on `today`, if it is a real date.
    pub fn date(self, today: NaiveDate) -> Option<NaiveDate> {
        match self {
            When::None => None,
            When::Fixed(s) => parse_yyyymmdd(s),
            When::FromToday(n) => add_days(today, n),
        }
    }
}

/// A named book that is always present.
#[derive(Debug, Clone, Copy)]
pub struct FixtureIsbn {
    pub name: &'static str,
    pub code: &'static str,
    pub title: &'static str,
    pub publisher: &'static str,
    pub kind: &'static str,
    pub case_type: &'static str,
    pub include_ebook: bool,
    /// Served verbatim, including `""` and unknown values.
    pub status: &'static str,
    pub approved: When,
    pub revoked: When,
}

/// A named boxed set that is always present; `items` are fixture names.
#[derive(Debug, Clone, Copy)]
pub struct FixtureEan {
    pub name: &'static str,
    pub code: &'static str,
    pub title: &'static str,
    pub status: &'static str,
    pub created: When,
    pub deleted: When,
    pub items: &'static [&'static str],
}

const fn book(
    name: &'static str,
    code: &'static str,
    title: &'static str,
    status: &'static str,
    approved: When,
    revoked: When,
) -> FixtureIsbn {
    FixtureIsbn {
        name,
        code,
        title,
        publisher: "範例出版社 測試組（樣本資料）",
        kind: "實體",
        case_type: "本國",
        include_ebook: false,
        status,
        approved,
        revoked,
    }
}

/// Every fixture book: name → code (valid check digits; never generated).
pub const FIXTURE_ISBNS: &[FixtureIsbn] = &[
    FixtureIsbn {
        publisher: "中央圖書館",
        include_ebook: true,
        ..book(
            "spec_example",
            "9789576780004",
            "國立中央圖書館讀者指引",
            "approved",
            When::Fixed("20210301"),
            When::None,
        )
    },
    book(
        "spec_isbn_path",
        "9789860477221",
        "規格範例書號（樣本資料）",
        "approved",
        When::Fixed("20210301"),
        When::None,
    ),
    book(
        "approved",
        "9786269900015",
        "已認可的實體書（樣本資料）",
        "approved",
        When::Fixed("20210315"),
        When::None,
    ),
    FixtureIsbn {
        include_ebook: true,
        ..book(
            "approved_with_ebook",
            "9786269900022",
            "已認可且含電子書（樣本資料）",
            "approved",
            When::Fixed("20210322"),
            When::None,
        )
    },
    FixtureIsbn {
        kind: "電子",
        ..book(
            "ebook",
            "9786269900039",
            "已認可的電子書（樣本資料）",
            "approved",
            When::Fixed("20210405"),
            When::None,
        )
    },
    FixtureIsbn {
        case_type: "進口",
        ..book(
            "imported",
            "9786269900046",
            "已認可的進口書（樣本資料）",
            "approved",
            When::Fixed("20210412"),
            When::None,
        )
    },
    book(
        "not_yet_effective",
        "9786269900053",
        "認可尚未生效（樣本資料）",
        "approved",
        When::FromToday(30),
        When::None,
    ),
    book(
        "revoked",
        "9786269900060",
        "已撤銷認可（樣本資料）",
        "revoked",
        When::Fixed("20210501"),
        When::Fixed("20250101"),
    ),
    book(
        "revoking_soon",
        "9786269900077",
        "即將撤銷，今日仍免稅（樣本資料）",
        "revoked",
        When::Fixed("20210601"),
        When::FromToday(10),
    ),
    book(
        "applying",
        "9786269900084",
        "申請中（樣本資料）",
        "applying",
        When::None,
        When::None,
    ),
    book(
        "expired",
        "9786269900091",
        "已到期（樣本資料）",
        "expired",
        When::Fixed("20210701"),
        When::None,
    ),
    book(
        "unknown_status",
        "9786269900107",
        "不明狀態 suspended（樣本資料）",
        "suspended",
        When::Fixed("20210801"),
        When::None,
    ),
    book(
        "missing_status",
        "9786269900114",
        "狀態空白（樣本資料）",
        "",
        When::Fixed("20210901"),
        When::None,
    ),
    book(
        "invalid_date",
        "9786269900121",
        "認可日期不存在 20210230（樣本資料）",
        "approved",
        When::Fixed("20210230"),
        When::None,
    ),
    FixtureIsbn {
        publisher: "<script>window.__xss=2</script>",
        ..book(
            "hostile",
            "9786269900138",
            "<img src=x onerror=\"window.__xss=1\">",
            "approved",
            When::Fixed("20211001"),
            When::None,
        )
    },
    book(
        "ean_spec_book_1",
        "9789869900010",
        "地中海六部曲 第一部（樣本資料）",
        "approved",
        When::Fixed("20210301"),
        When::None,
    ),
    book(
        "ean_spec_book_2",
        "9789869900027",
        "地中海六部曲 第二部（樣本資料）",
        "approved",
        When::Fixed("20210301"),
        When::None,
    ),
    book(
        "ean_spec_book_3",
        "9789869900034",
        "地中海六部曲 第三部（樣本資料）",
        "approved",
        When::Fixed("20210301"),
        When::None,
    ),
    book(
        "ean_spec_book_4",
        "9789869900041",
        "地中海六部曲 第四部（樣本資料）",
        "approved",
        When::Fixed("20210301"),
        When::None,
    ),
    book(
        "ean_spec_book_5",
        "9789869900058",
        "地中海六部曲 第五部（樣本資料）",
        "approved",
        When::Fixed("20210301"),
        When::None,
    ),
    book(
        "ean_spec_book_6",
        "9789869900065",
        "地中海六部曲 第六部（樣本資料）",
        "approved",
        When::Fixed("20210301"),
        When::None,
    ),
];

/// Every fixture boxed set: name → code (EAN-13, not 978/979).
pub const FIXTURE_EANS: &[FixtureEan] = &[
    FixtureEan {
        name: "ean_spec",
        code: "8667106506069",
        title: "地中海六部曲套書 經典收藏書盒紀念版",
        status: "created",
        created: When::Fixed("20210301"),
        deleted: When::None,
        items: &[
            "ean_spec_book_1",
            "ean_spec_book_2",
            "ean_spec_book_3",
            "ean_spec_book_4",
            "ean_spec_book_5",
            "ean_spec_book_6",
        ],
    },
    FixtureEan {
        name: "ean_mixed",
        code: "4719990000018",
        title: "混合狀態套書：一冊申請中（樣本資料）",
        status: "created",
        created: When::Fixed("20210320"),
        deleted: When::None,
        items: &["approved", "approved_with_ebook", "applying"],
    },
    FixtureEan {
        name: "ean_deleted",
        code: "4719990000025",
        title: "已刪除的套書（樣本資料）",
        status: "deleted",
        created: When::Fixed("20210420"),
        deleted: When::Fixed("20240101"),
        items: &["approved", "imported"],
    },
    FixtureEan {
        name: "ean_future",
        code: "4719990000032",
        title: "尚未建立的套書（樣本資料）",
        status: "created",
        created: When::FromToday(20),
        deleted: When::None,
        items: &["approved", "ebook"],
    },
];

/// The fixture book called `name`.
pub fn fixture_isbn(name: &str) -> Option<&'static FixtureIsbn> {
    FIXTURE_ISBNS.iter().find(|f| f.name == name)
}
