//! One sale's arithmetic for the invoice: each line's e-invoice tax type and amount, the exempt and taxable totals, and the business tax the taxable amount includes, in whole NT$.
//!
//! Prices include tax (as a shop's shelf prices do). The tax included in a taxable
//! amount `T` is `T − round(T ÷ 1.05)`, halves rounded up, computed in integers as
//! `T − ⌊(40·T + 21) ÷ 42⌋`. An unknown verdict is sold as taxable. Amounts are
//! checked against JavaScript's safe integers, so no total is ever silently wrong.
//!
//! ```
//! use booktax::core::sale::{sale_totals, SaleLine, InvoiceTaxType};
//! use booktax::core::rules::Verdict;
//! let totals = sale_totals(&[
//!     SaleLine { verdict: Verdict::Exempt, unit_price: 350, quantity: 2 },
//!     SaleLine { verdict: Verdict::Taxable, unit_price: 105, quantity: 1 },
//! ]).unwrap();
//! assert_eq!((totals.exempt_amount, totals.taxable_amount, totals.tax_included), (700, 105, 5));
//! assert_eq!(totals.invoice_tax_type, InvoiceTaxType::Mixed);
//! ```

use crate::core::rules::Verdict;
use std::fmt;

/// The largest amount JavaScript holds exactly (2⁵³ − 1).
pub const MAX_AMOUNT: u64 = (1 << 53) - 1;

/// One line of a sale as the till has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaleLine {
    /// The line's verdict.
    pub verdict: Verdict,
    /// Price per item in whole NT$, tax included.
    pub unit_price: u64,
    /// How many.
    pub quantity: u64,
}

/// An e-invoice item's or invoice's tax type (電子發票課稅別).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceTaxType {
    /// 1: taxable (應稅).
    Taxable,
    /// 3: exempt (免稅).
    Exempt,
    /// 9: mixed (混合應稅與免稅), for an invoice only.
    Mixed,
}

impl InvoiceTaxType {
    /// The e-invoice code: 1, 3 or 9.
    pub fn code(self) -> u8 {
        match self {
            InvoiceTaxType::Taxable => 1,
            InvoiceTaxType::Exempt => 3,
            InvoiceTaxType::Mixed => 9,
        }
    }
}

/// A sale's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleTotals {
    /// 免稅銷售額 (FreeTaxSalesAmount).
    pub exempt_amount: u64,
    /// 應稅銷售額, tax included (SalesAmount).
    pub taxable_amount: u64,
    /// The business tax the taxable amount includes.
    pub tax_included: u64,
    /// The invoice's tax type: all taxable, all exempt, or mixed.
    pub invoice_tax_type: InvoiceTaxType,
    /// Each line's tax type and amount, in order.
    pub items: Vec<(InvoiceTaxType, u64)>,
    /// Lines sold as taxable because their verdict was unknown (indexes).
    pub unknown_lines: Vec<usize>,
}

/// Why a sale cannot be totalled: a line's amount or the total is beyond what can be held exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmountTooLarge {
    /// The line (0-based), or `None` for the total.
    pub line: Option<usize>,
}

impl fmt::Display for AmountTooLarge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(i) => write!(
                f,
                "第 {} 項的金額過大（單價 × 數量超過 {MAX_AMOUNT}）",
                i + 1
            ),
            None => write!(f, "本筆交易的總額過大（超過 {MAX_AMOUNT}）"),
        }
    }
}

/// The tax included in a tax-inclusive amount: `amount − round(amount ÷ 1.05)`, halves up.
///
/// ```
/// use booktax::core::sale::tax_included;
/// assert_eq!(tax_included(105), 5);
/// assert_eq!(tax_included(100), 5); // 100 ÷ 1.05 = 95.24 → 95
/// assert_eq!(tax_included(10), 0); // 9.52 → 10
/// ```
pub fn tax_included(amount: u64) -> u64 {
    let amount = u128::from(amount);
    let net = (40 * amount + 21) / 42;
    (amount - net) as u64
}

/// Totals a sale.
///
/// # Errors
///
/// [`AmountTooLarge`] when a line's amount or a total passes [`MAX_AMOUNT`].
pub fn sale_totals(lines: &[SaleLine]) -> Result<SaleTotals, AmountTooLarge> {
    let (mut exempt, mut taxable) = (0u64, 0u64);
    let mut items = Vec::with_capacity(lines.len());
    let mut unknown_lines = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let amount = u128::from(line.unit_price) * u128::from(line.quantity);
        let amount = u64::try_from(amount)
            .ok()
            .filter(|a| *a <= MAX_AMOUNT)
            .ok_or(AmountTooLarge { line: Some(i) })?;
        let kind = match line.verdict {
            Verdict::Exempt => InvoiceTaxType::Exempt,
            Verdict::Taxable => InvoiceTaxType::Taxable,
            Verdict::Unknown => {
                unknown_lines.push(i);
                InvoiceTaxType::Taxable
            }
        };
        let total = if kind == InvoiceTaxType::Exempt {
            &mut exempt
        } else {
            &mut taxable
        };
        *total = total
            .checked_add(amount)
            .filter(|t| *t <= MAX_AMOUNT)
            .ok_or(AmountTooLarge { line: None })?;
        items.push((kind, amount));
    }
    let has = |k| items.iter().any(|(t, _)| *t == k);
    let invoice_tax_type = match (has(InvoiceTaxType::Exempt), has(InvoiceTaxType::Taxable)) {
        (true, true) => InvoiceTaxType::Mixed,
        (true, false) => InvoiceTaxType::Exempt,
        _ => InvoiceTaxType::Taxable,
    };
    Ok(SaleTotals {
        exempt_amount: exempt,
        taxable_amount: taxable,
        tax_included: tax_included(taxable),
        invoice_tax_type,
        items,
        unknown_lines,
    })
}

/// What the paper note and the CSV name a line by: its code, title and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineLabel<'a> {
    /// The code scanned (ISBN-13 or EAN-13).
    pub code: &'a str,
    /// The title, when the service gave one.
    pub title: &'a str,
    /// Why the verdict, in words.
    pub detail: &'a str,
}

/// The sale as a CSV for Excel (UTF-8 with BOM, CRLF): one row per line with its e-invoice tax
/// type and amount, then the invoice's totals.
///
/// ```
/// use booktax::core::sale::{sale_csv, sale_totals, LineLabel, SaleLine};
/// use booktax::core::rules::Verdict;
/// let lines = [SaleLine { verdict: Verdict::Exempt, unit_price: 350, quantity: 2 }];
/// let labels = [LineLabel { code: "9789576780004", title: "讀者指引", detail: "已認可" }];
/// let csv = sale_csv(&lines, &labels, &sale_totals(&lines).unwrap());
/// assert!(csv.contains("1,9789576780004,讀者指引,免稅,3,2,350,700,已認可\r\n"));
/// assert!(csv.contains("免稅銷售額（FreeTaxSalesAmount）,700\r\n"));
/// ```
pub fn sale_csv(lines: &[SaleLine], labels: &[LineLabel], totals: &SaleTotals) -> String {
    let (header, rows) = sale_table(lines, labels, totals);
    crate::core::batch::csv_document(&header, &rows)
}

/// The same table as tab-separated text without a BOM, for the clipboard (it pastes into columns).
pub fn sale_tsv(lines: &[SaleLine], labels: &[LineLabel], totals: &SaleTotals) -> String {
    let (header, rows) = sale_table(lines, labels, totals);
    crate::core::batch::table_text(&header, &rows, "\t")
}

/// The sale's header and rows: the lines, a blank row, the invoice's totals.
fn sale_table(
    lines: &[SaleLine],
    labels: &[LineLabel],
    totals: &SaleTotals,
) -> ([&'static str; 9], Vec<Vec<String>>) {
    let header = [
        "項次",
        "條碼",
        "書名",
        "判定",
        "發票課稅別",
        "數量",
        "單價",
        "金額",
        "說明",
    ];
    let mut rows: Vec<Vec<String>> = lines
        .iter()
        .zip(&totals.items)
        .enumerate()
        .map(|(i, (line, (tax_type, amount)))| {
            let label = labels.get(i).copied().unwrap_or_default();
            let verdict = match line.verdict {
                Verdict::Exempt => "免稅",
                Verdict::Taxable => "應稅",
                Verdict::Unknown => "無法判定（以應稅處理）",
            };
            vec![
                (i + 1).to_string(),
                label.code.into(),
                label.title.into(),
                verdict.into(),
                tax_type.code().to_string(),
                line.quantity.to_string(),
                line.unit_price.to_string(),
                amount.to_string(),
                label.detail.into(),
            ]
        })
        .collect();
    rows.push(Vec::new());
    let total = |name: &str, value: u64| vec![name.to_string(), value.to_string()];
    rows.push(total(
        "應稅銷售額（含稅，SalesAmount）",
        totals.taxable_amount,
    ));
    rows.push(total(
        "免稅銷售額（FreeTaxSalesAmount）",
        totals.exempt_amount,
    ));
    rows.push(total("內含營業稅", totals.tax_included));
    rows.push(total(
        "總計（TotalAmount）",
        totals.taxable_amount + totals.exempt_amount,
    ));
    rows.push(total(
        "發票課稅別（TaxType）",
        u64::from(totals.invoice_tax_type.code()),
    ));
    (header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(verdict: Verdict, unit_price: u64, quantity: u64) -> SaleLine {
        SaleLine {
            verdict,
            unit_price,
            quantity,
        }
    }

    #[test]
    fn tax_rounds_halves_up_and_matches_the_decimal_definition() {
        for amount in 0..200_000u64 {
            let exact = amount as f64 / 1.05;
            // Round half up on the exact quotient (no quotient of a whole amount is a half).
            let net = (exact + 0.5).floor() as u64;
            assert_eq!(tax_included(amount), amount - net, "{amount}");
        }
        assert_eq!(tax_included(0), 0);
        assert_eq!(
            tax_included(MAX_AMOUNT),
            MAX_AMOUNT - (40 * u128::from(MAX_AMOUNT) + 21).div_euclid(42) as u64
        );
    }

    #[test]
    fn a_mixed_sale_with_an_unknown_line_and_zero_prices() {
        let t = sale_totals(&[
            line(Verdict::Exempt, 380, 2),
            line(Verdict::Taxable, 120, 1),
            line(Verdict::Unknown, 99, 1),
            line(Verdict::Exempt, 0, 3),
        ])
        .unwrap();
        assert_eq!(t.exempt_amount, 760);
        assert_eq!(t.taxable_amount, 219);
        assert_eq!(t.tax_included, 219 - 209); // 219 ÷ 1.05 = 208.57 → 209
        assert_eq!(t.invoice_tax_type.code(), 9);
        assert_eq!(t.unknown_lines, vec![2]);
        let codes: Vec<(u8, u64)> = t.items.iter().map(|(k, a)| (k.code(), *a)).collect();
        assert_eq!(codes, vec![(3, 760), (1, 120), (1, 99), (3, 0)]);
    }

    #[test]
    fn all_exempt_all_taxable_and_empty() {
        assert_eq!(
            sale_totals(&[line(Verdict::Exempt, 1, 1)])
                .unwrap()
                .invoice_tax_type
                .code(),
            3
        );
        assert_eq!(
            sale_totals(&[line(Verdict::Unknown, 1, 1)])
                .unwrap()
                .invoice_tax_type
                .code(),
            1
        );
        let empty = sale_totals(&[]).unwrap();
        assert_eq!(
            (
                empty.exempt_amount,
                empty.taxable_amount,
                empty.invoice_tax_type.code()
            ),
            (0, 0, 1)
        );
    }

    #[test]
    fn large_quantities_are_exact_or_refused() {
        let big = sale_totals(&[line(Verdict::Taxable, 1_000_000, 9_000_000)]).unwrap();
        assert_eq!(big.taxable_amount, 9_000_000_000_000);
        assert_eq!(big.tax_included, 9_000_000_000_000 - 8_571_428_571_429);
        assert_eq!(
            sale_totals(&[line(Verdict::Taxable, u64::MAX, u64::MAX)]),
            Err(AmountTooLarge { line: Some(0) })
        );
        let half = MAX_AMOUNT / 2 + 1;
        assert_eq!(
            sale_totals(&[
                line(Verdict::Exempt, half, 1),
                line(Verdict::Exempt, half, 1)
            ]),
            Err(AmountTooLarge { line: None })
        );
        assert!(
            AmountTooLarge { line: Some(4) }
                .to_string()
                .contains("第 5 項")
        );
    }
}
