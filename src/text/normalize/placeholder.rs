//! Placeholders: the private-use characters that stand for numbers, amounts, phone numbers,
//! links, codes and dates, and their names for display.

/// Placeholders that stand for numbers, amounts, phone numbers, links, codes and dates, so that
/// no particular number becomes a feature. They are private-use characters: one token each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder {
    /// Any other number.
    Num,
    /// An amount: after a currency sign, before a unit such as 元 or 万, or with thousands
    /// separators or two decimals.
    Money,
    /// A phone number: 11 digits from a 1, 10 or more from 400 or 800, or 7 or more with dashes.
    Phone,
    /// A link.
    Url,
    /// A code: 4 or more digits without a decimal point.
    Code,
    /// A date or a time: `2024-05-01`, `12:30`, or a number before 年, 月, 日 or 号.
    Date,
}

impl Placeholder {
    const ALL: [Placeholder; 6] = [
        Placeholder::Num,
        Placeholder::Money,
        Placeholder::Phone,
        Placeholder::Url,
        Placeholder::Code,
        Placeholder::Date,
    ];

    /// The private-use character that stands for it (U+E000 onwards).
    pub fn as_char(self) -> char {
        char::from_u32(0xE000 + self as u32).unwrap_or('\u{E000}')
    }

    /// The placeholder that `c` stands for, if it is one.
    pub fn from_char(c: char) -> Option<Placeholder> {
        let i = (c as u32).checked_sub(0xE000)?;
        Placeholder::ALL.get(i as usize).copied()
    }

    /// Its readable name, such as `<money>`.
    pub fn name(self) -> &'static str {
        match self {
            Placeholder::Num => "<num>",
            Placeholder::Money => "<money>",
            Placeholder::Phone => "<phone>",
            Placeholder::Url => "<url>",
            Placeholder::Code => "<code>",
            Placeholder::Date => "<date>",
        }
    }
}

/// Replaces placeholder characters by their readable names, for display.
pub fn display_placeholders(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match Placeholder::from_char(c) {
            Some(p) => out.push_str(p.name()),
            None => out.push(c),
        }
    }
    out
}
