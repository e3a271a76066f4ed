//! Masking of private data — phone, ID-card and bank-card numbers, e-mail addresses, WeChat and
//! QQ IDs — so that a report or a classified corpus can be shared.
//!
//! Masking replaces one character by one `*`, so the text keeps its length in characters and
//! evidence spans (character offsets) computed on the original still point at the same words.
//! Only the digits (and letters) of an item are masked; the separators between them stay.
//!
//! | what | recognised as | masked |
//! |---|---|---|
//! | mobile number | 11 digits `1[3-9]…`, with or without `+86`/`86`/`0086` | all but the last 4 digits; the country code stays |
//! | landline | 10–12 digits starting with `0` (area code and number) | all but the last 4 digits |
//! | ID card | 18 digits, or 17 and a final `X`, with a birth date in place (region 1–8, year 19xx/20xx, month, day) | all but the last 4 (the birth date and region go; `002X` stays) |
//! | ID card (old), bank card | 15 digits; 16 to 19 digits | all but the last 4 digits |
//! | e-mail | `local@domain.tld`; `＠`/`﹫` for `@`, `。`/`．` for a dot of the domain; spaces around `@` only before a common TLD | the whole local part; the domain stays |
//! | WeChat ID | after 微信(号)/薇信/威信/v信/vx/wx/加v/wechat/weixin (then optional 号, ID, `:`, 是, spaces): a letter and 5–19 more of letters, digits, `_`, `-`; `wxid_…` anywhere | the whole ID |
//! | QQ number | after QQ/扣扣/企鹅 (the same way), or digits after a WeChat word: 5–11 digits | every digit (a mobile number there keeps its last 4) |
//!
//! **Digits** are ASCII, full-width (`１`), circled and other enclosed forms (`①`, `❶`, `⓵`),
//! mathematical (`𝟏`), super- and subscript, keycaps (`1️⃣`), and Chinese numerals: 〇 零 ○ 一
//! 幺 二 两 三 … 九 and the financial 壹 贰 叁 … 玖. Arabic and Chinese digits mix in one number
//! (`1三8…`), and a switch between them starts a new digit group, so in `欠一13811112222` the
//! `一` of the prose is a group of its own and the phone number is masked without it. Prose
//! numerals stay: no run of them is as long as a phone number.
//!
//! **Separators.** The digit groups of one number may be separated by up to [`MAX_GAP`]
//! characters from this set: spaces (incl. no-break, ideographic and the other Unicode spaces,
//! tab), zero-width and other invisible format characters (U+200B–U+200F, U+202A–U+202E,
//! U+2060–U+206F, U+FEFF, soft hyphen), combining marks (strike-through, keycap), dashes and
//! minus signs, `.` `．` `·` `・` `•`, `/` `／` `\`, `_` `＿`, `*`, brackets `()（）`, and
//! emoji and symbols (arrows, shapes, dingbats, pictographs, variation selectors, skin tones).
//! Commas, colons, `~`, letters, CJK text and line breaks end a number.
//!
//! **How a run of groups is read**, in three passes over the groups (a group used by one pass is
//! not used by the next): first ID cards with a plausible birth date; then mobile numbers and
//! service numbers (neither is ever absorbed into a longer number, so `还款2300 138 1111 2222`
//! masks only the phone and `95588 10086 12378` is not a card); then the longest 15–19-digit or
//! landline number. Except in an ID card, a date written `2025-03-03`, `2025.3.3`, `2025/03/03`,
//! `3/3/2025` or `20250303` is never part of a number, so `2025.03.03—2025.04.03` stays.
//!
//! **Kept**: amounts (`2,300.00元`), dates, times (`10:00`), verification codes and other numbers
//! of up to 9 digits, service numbers (`95588`, `10690001`, `4008-123-456`), order numbers of 10
//! to 14 digits that do not start with 0 or look like a mobile number, a number glued into a
//! longer run of digits (`2024031213811112222567` is 22 digits, none of the kinds).

/// Most separator characters between two digit groups of one number.
pub const MAX_GAP: usize = 8;

/// Returns `text` with phone, ID-card and bank-card numbers, e-mail addresses and WeChat and QQ
/// IDs masked as the [module](self) describes: one `*` per masked character, the last four
/// digits of a number and the domain of an address kept.
///
/// ```
/// use cuishou::output::redact;
/// assert_eq!(redact("打13811112222找我"), "打*******2222找我");
/// assert_eq!(redact("打 138  1111.2222 找我"), "打 ***  ****.2222 找我");
/// assert_eq!(redact("邮箱 zhang.wei1984@qq.com"), "邮箱 *************@qq.com");
/// assert_eq!(redact("加微信：wang_li88"), "加微信：*********");
/// assert_eq!(redact("欠款2,300.00元，验证码482913"), "欠款2,300.00元，验证码482913");
/// ```
pub fn redact(text: &str) -> String {
    if !text.chars().any(could_start) {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut mask = vec![false; chars.len()];
    mask_emails(&chars, &mut mask);
    mask_handles(&chars, &mut mask);
    mask_numbers(&chars, &mut mask);
    chars.iter().zip(&mask).map(|(&c, &m)| if m { '*' } else { c }).collect()
}

/// Whether `c` can begin or anchor something that is masked.
fn could_start(c: char) -> bool {
    digit(c).is_some() || is_at(c) || c.is_ascii_alphabetic() || matches!(c, '微' | '薇' | '威' | '徽' | '扣' | '企')
}

/// The two families of digits: a change between them splits a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Arabic,
    Chinese,
}

/// A digit's value and family: ASCII, full-width, enclosed, mathematical, super- and subscript
/// digits, and Chinese numerals.
fn digit(c: char) -> Option<(u8, Script)> {
    let u = c as u32;
    let arabic = |v: u32| Some((v as u8, Script::Arabic));
    match c {
        '0'..='9' => arabic(u - '0' as u32),
        '０'..='９' => arabic(u - '０' as u32),
        '①'..='⑨' => arabic(u - '①' as u32 + 1),
        '⑴'..='⑼' => arabic(u - '⑴' as u32 + 1),
        '⒈'..='⒐' => arabic(u - '⒈' as u32 + 1),
        '⓵'..='⓽' => arabic(u - '⓵' as u32 + 1),
        '❶'..='❾' => arabic(u - '❶' as u32 + 1),
        '➀'..='➈' => arabic(u - '➀' as u32 + 1),
        '➊'..='➒' => arabic(u - '➊' as u32 + 1),
        '⓪' | '⓿' | '⁰' | '₀' => arabic(0),
        '¹' => arabic(1),
        '²' => arabic(2),
        '³' => arabic(3),
        '⁴'..='⁹' => arabic(u - '⁴' as u32 + 4),
        '₁'..='₉' => arabic(u - '₁' as u32 + 1),
        '\u{1D7CE}'..='\u{1D7FF}' => arabic((u - 0x1D7CE) % 10),
        _ => chinese_digit(c).map(|v| (v, Script::Chinese)),
    }
}

fn chinese_digit(c: char) -> Option<u8> {
    Some(match c {
        '〇' | '零' | '○' => 0,
        '一' | '幺' | '壹' => 1,
        '二' | '两' | '兩' | '贰' | '貳' => 2,
        '三' | '叁' | '參' => 3,
        '四' | '肆' => 4,
        '五' | '伍' => 5,
        '六' | '陆' | '陸' => 6,
        '七' | '柒' => 7,
        '八' | '捌' => 8,
        '九' | '玖' => 9,
        _ => return None,
    })
}

/// A character that may stand between two digit groups of one number.
fn is_separator(c: char) -> bool {
    if digit(c).is_some() {
        return false;
    }
    matches!(
        c,
        ' ' | '\t'
            | '\u{00A0}'
            | '\u{00AD}'
            | '\u{034F}'
            | '\u{180E}'
            | '\u{2000}'..='\u{200F}'
            | '\u{2010}'..='\u{2015}'
            | '\u{2022}'..='\u{2027}'
            | '\u{202A}'..='\u{202F}'
            | '\u{205F}'..='\u{206F}'
            | '\u{2212}'
            | '\u{2219}'
            | '\u{3000}'
            | '\u{30FB}'
            | '\u{FEFF}'
            | '-' | '－' | '﹣' | '﹘'
            | '.' | '．' | '·'
            | '/' | '／' | '\\'
            | '_' | '＿'
            | '*'
            | '(' | ')' | '（' | '）'
            // combining marks: strike-through, underline, keycap
            | '\u{0300}'..='\u{036F}'
            | '\u{20D0}'..='\u{20FF}'
            // arrows, technical symbols, shapes, miscellaneous symbols, dingbats
            | '\u{2190}'..='\u{21FF}'
            | '\u{2300}'..='\u{23FF}'
            | '\u{25A0}'..='\u{27BF}'
            | '\u{2B00}'..='\u{2BFF}'
            // variation selectors, emoji, skin tones, tags
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{1F000}'..='\u{1FAFF}'
            | '\u{E0020}'..='\u{E007F}'
    )
}

/// Separators of a written date: `2025-03-03`, `2025.3.3`, `2025/03/03`.
fn is_date_separator(c: char) -> bool {
    matches!(c, '-' | '.' | '/' | '－' | '．' | '／' | '·')
}

fn is_x(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')
}

/// A full-width ASCII character as ASCII.
fn fold(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        _ => c,
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{00A0}' | '\u{3000}')
}

// ---------------------------------------------------------------------------------------------
// E-mail addresses

fn is_at(c: char) -> bool {
    matches!(c, '@' | '＠' | '﹫')
}

fn is_local_char(c: char) -> bool {
    let c = fold(c);
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_label_char(c: char) -> bool {
    let c = fold(c);
    c.is_ascii_alphanumeric() || c == '-'
}

fn is_domain_dot(c: char) -> bool {
    matches!(c, '.' | '。' | '．' | '｡')
}

/// Top-level domains clear enough to read `name @ qq.com` as an address.
const COMMON_TLDS: [&str; 8] = ["com", "cn", "net", "org", "edu", "gov", "hk", "tw"];

/// The end of the domain after `from` (exclusive) and its top-level domain, when it is a host
/// name with at least two labels and a top-level domain of two or more letters.
fn domain_end(chars: &[char], from: usize) -> Option<(usize, String)> {
    let mut end = from;
    let mut labels = 0;
    let mut last_label = from..from;
    loop {
        let start = end;
        while end < chars.len() && is_label_char(chars[end]) {
            end += 1;
        }
        if end == start {
            // an empty label: the dot before it (if any) ends a sentence, not the domain
            end = start.saturating_sub(1).max(from);
            break;
        }
        labels += 1;
        last_label = start..end;
        if end + 1 < chars.len() && is_domain_dot(chars[end]) && is_label_char(chars[end + 1]) {
            end += 1;
        } else {
            break;
        }
    }
    let tld: String = chars[last_label].iter().map(|&c| fold(c).to_ascii_lowercase()).collect();
    (labels >= 2 && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())).then_some((end, tld))
}

/// Masks the whole local part of each `local@domain.tld`.
fn mask_emails(chars: &[char], mask: &mut [bool]) {
    for at in 0..chars.len() {
        if !is_at(chars[at]) {
            continue;
        }
        let mut local_end = at;
        while local_end > 0 && at - local_end < 2 && is_space(chars[local_end - 1]) {
            local_end -= 1;
        }
        let mut start = local_end;
        while start > 0 && is_local_char(chars[start - 1]) {
            start -= 1;
        }
        while start < local_end && matches!(fold(chars[start]), '.' | '-' | '+') {
            start += 1;
        }
        let mut domain = at + 1;
        while domain < chars.len() && domain - at <= 2 && is_space(chars[domain]) {
            domain += 1;
        }
        let Some((_, tld)) = domain_end(chars, domain) else { continue };
        let spaced = local_end < at || domain > at + 1;
        if start == local_end || (spaced && (local_end - start < 2 || !COMMON_TLDS.contains(&tld.as_str()))) {
            continue;
        }
        for m in &mut mask[start..local_end] {
            *m = true;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// WeChat and QQ IDs

/// Words after which a WeChat ID follows, lower case with full-width letters folded.
const WECHAT_WORDS: [&str; 11] =
    ["微信号", "微信", "薇信", "威信", "徽信", "v信", "vx", "wx", "加v", "wechat", "weixin"];
/// Words after which a QQ number follows.
const QQ_WORDS: [&str; 4] = ["qq", "扣扣", "企鹅", "q号"];
/// What may follow such a word before the ID.
const WORD_SUFFIXES: [&str; 6] = ["号码", "账号", "帐号", "号", "號", "id"];

fn is_gap_char(c: char) -> bool {
    is_space(c) || matches!(fold(c), ':' | '=' | '-') || matches!(c, '是' | '为' | '為' | '\t')
}

fn is_id_char(c: char) -> bool {
    let c = fold(c);
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-')
}

/// Whether `word` is written at `i` (case-insensitive, full-width folded); its length if so.
fn word_at(chars: &[char], i: usize, word: &str) -> Option<usize> {
    let mut n = 0;
    for w in word.chars() {
        let c = fold(*chars.get(i + n)?).to_ascii_lowercase();
        if c != w {
            return None;
        }
        n += 1;
    }
    Some(n)
}

/// Masks WeChat IDs and QQ numbers given after the words that name them, and `wxid_…` IDs.
fn mask_handles(chars: &[char], mask: &mut [bool]) {
    let mut i = 0;
    while i < chars.len() {
        let after_word = i == 0 || !fold(chars[i - 1]).is_ascii_alphanumeric();
        if after_word && word_at(chars, i, "wxid_").is_some() {
            let end = (i..chars.len()).find(|&j| !is_id_char(chars[j])).unwrap_or(chars.len());
            if end - i >= 8 {
                mask[i..end].iter_mut().for_each(|m| *m = true);
                i = end;
                continue;
            }
        }
        let found = WECHAT_WORDS
            .iter()
            .map(|w| (w, true))
            .chain(QQ_WORDS.iter().map(|w| (w, false)))
            .find_map(|(w, wechat)| word_at(chars, i, w).map(|n| (n, w.is_ascii(), wechat)));
        let Some((n, ascii_word, wechat)) = found else {
            i += 1;
            continue;
        };
        if ascii_word && !after_word {
            i += 1;
            continue;
        }
        let mut j = i + n;
        if let Some(n) = WORD_SUFFIXES.iter().find_map(|s| word_at(chars, j, s)) {
            j += n;
        }
        let gap_start = j;
        while j < chars.len() && j - gap_start < 4 && is_gap_char(chars[j]) {
            j += 1;
        }
        let Some(&first) = chars.get(j) else { break };
        if mask[j] {
            i = j;
            continue;
        }
        if fold(first).is_ascii_alphabetic() {
            // `vxabc123` could be a word: an ID glued to an ASCII word is not taken
            let end = (j..chars.len()).find(|&k| !is_id_char(chars[k])).unwrap_or(chars.len());
            if wechat && (6..=20).contains(&(end - j)) && !(ascii_word && j == i + n) {
                mask[j..end].iter_mut().for_each(|m| *m = true);
            }
            i = end.max(i + 1);
        } else if digit(first).is_some_and(|(_, s)| s == Script::Arabic) {
            i = mask_qq(chars, mask, j).max(i + 1);
        } else {
            i += 1;
        }
    }
}

/// Masks every digit of the QQ number starting at `from` (5 to 11 digits, in groups as a phone
/// number may be); a mobile number is left to [`mask_numbers`]. Returns where the number ends.
fn mask_qq(chars: &[char], mask: &mut [bool], from: usize) -> usize {
    let (groups, end) = chain_at(chars, mask, from);
    let mut n = 0;
    let mut take = 0;
    for g in &groups {
        if n + g.digits.len() > 11 || g.final_x {
            break;
        }
        n += g.digits.len();
        take += 1;
    }
    let digits: Vec<u8> = groups[..take].iter().flat_map(|g| g.digits.iter().copied()).collect();
    if (5..=11).contains(&n) && !is_mobile(&digits) {
        for g in &groups[..take] {
            g.positions.iter().for_each(|&p| mask[p] = true);
        }
    }
    end
}

// ---------------------------------------------------------------------------------------------
// Numbers

/// What a run of digits is, if it is something to mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A mobile number, after a country code of this many digits (86, 0086) that stays.
    Mobile(usize),
    /// An 18-character ID card with its birth date in place.
    IdCard,
    /// A 15-digit old ID card or a 16–19-digit bank card (or an 18-character number that is
    /// not a plausible ID card).
    Long,
    /// A landline with its area code: 010-12345678, 0755 1234 5678.
    Landline,
    /// A service number that stays and is never part of a longer number: a 400/800 number, a
    /// five-digit hotline (95588, 10086, 12378) or an SMS port (1069…).
    Service,
}

fn is_mobile(d: &[u8]) -> bool {
    d.len() == 11 && d[0] == 1 && (3..=9).contains(&d[1])
}

fn value(d: &[u8]) -> u32 {
    d.iter().fold(0, |v, &x| v * 10 + u32::from(x))
}

/// A date `YYYYMMDD` with the year 1900–2099.
fn is_yyyymmdd(d: &[u8]) -> bool {
    d.len() == 8
        && (1900..=2099).contains(&value(&d[..4]))
        && (1..=12).contains(&value(&d[4..6]))
        && (1..=31).contains(&value(&d[6..]))
}

/// Classifies a number by its digits (`final_x`: it ends in the X of an ID card).
fn kind(d: &[u8], final_x: bool) -> Option<Kind> {
    let n = d.len() + usize::from(final_x);
    // an 18-character ID card: region (first digit 1–8), birth date, sequence, check character
    let id_card = n == 18 && d.get(6..14).is_some_and(is_yyyymmdd) && (1..=8).contains(&d[0]);
    if final_x {
        return (n == 18).then_some(if id_card { Kind::IdCard } else { Kind::Long });
    }
    if is_mobile(d) {
        return Some(Kind::Mobile(0));
    }
    if n == 13 && d[..2] == [8, 6] && is_mobile(&d[2..]) {
        return Some(Kind::Mobile(2));
    }
    if n == 15 && d[..4] == [0, 0, 8, 6] && is_mobile(&d[4..]) {
        return Some(Kind::Mobile(4));
    }
    let service = match n {
        5 => matches!(d[..2], [9, 5] | [9, 6] | [1, 0] | [1, 2]),
        10 => matches!(d[..3], [4, 0, 0] | [8, 0, 0]),
        _ => n >= 8 && d[..3] == [1, 0, 6],
    };
    if service {
        return Some(Kind::Service);
    }
    match n {
        18 if id_card => Some(Kind::IdCard),
        15..=19 => Some(Kind::Long),
        10..=12 if d[0] == 0 => Some(Kind::Landline),
        _ => None,
    }
}

/// One digit group of a candidate number: positions of its characters in the text.
struct Group {
    positions: Vec<usize>,
    digits: Vec<u8>,
    final_x: bool,
    /// The text position after the group (its X included).
    end: usize,
}

/// The digit groups from `i` on, joined by up to [`MAX_GAP`] separators (or by nothing, where
/// Arabic and Chinese digits meet), and the position after the last group.
fn chain_at(chars: &[char], mask: &[bool], i: usize) -> (Vec<Group>, usize) {
    let mut groups: Vec<Group> = Vec::new();
    let mut j = i;
    loop {
        let script = chars.get(j).and_then(|&c| digit(c)).map(|(_, s)| s);
        let mut g = Group { positions: Vec::new(), digits: Vec::new(), final_x: false, end: j };
        while j < chars.len() && !mask[j] {
            match digit(chars[j]) {
                Some((d, s)) if Some(s) == script => {
                    g.positions.push(j);
                    g.digits.push(d);
                    j += 1;
                }
                _ => break,
            }
        }
        if j < chars.len()
            && !mask[j]
            && is_x(chars[j])
            && !chars.get(j + 1).is_some_and(|c| fold(*c).is_ascii_alphanumeric())
        {
            g.positions.push(j);
            g.final_x = true;
            j += 1;
        }
        g.end = j;
        let ended_by_x = g.final_x;
        groups.push(g);
        if ended_by_x {
            break;
        }
        let mut k = j;
        while k < chars.len() && k - j <= MAX_GAP && !mask[k] && is_separator(chars[k]) {
            k += 1;
        }
        if k - j > MAX_GAP || k >= chars.len() || mask[k] || digit(chars[k]).is_none() {
            break;
        }
        j = k;
    }
    let end = groups.last().map_or(i + 1, |g| g.end);
    (groups, end)
}

/// Marks the groups that are a written date: `2025-03-03`, `2025.3.3`, `3/3/2025` (the same
/// separator twice, alone between the groups), or `20250303`.
fn date_groups(chars: &[char], groups: &[Group]) -> Vec<bool> {
    let mut date = vec![false; groups.len()];
    for (i, g) in groups.iter().enumerate() {
        if g.digits.len() == 8 && !g.final_x && is_yyyymmdd(&g.digits) {
            date[i] = true;
        }
    }
    let sep = |a: &Group, b: &Group| -> Option<char> {
        let first = *b.positions.first()?;
        (first == a.end + 1 && is_date_separator(chars[a.end])).then_some(chars[a.end])
    };
    let year = |g: &Group| g.digits.len() == 4 && (1900..=2099).contains(&value(&g.digits));
    let part = |g: &Group, max: u32| (1..=2).contains(&g.digits.len()) && (1..=max).contains(&value(&g.digits));
    for i in 0..groups.len().saturating_sub(2) {
        let (a, b, c) = (&groups[i], &groups[i + 1], &groups[i + 2]);
        if a.final_x || b.final_x || c.final_x {
            continue;
        }
        let same_sep = matches!((sep(a, b), sep(b, c)), (Some(x), Some(y)) if x == y);
        let ymd = year(a) && part(b, 12) && part(c, 31);
        let dmy = part(a, 31) && part(b, 31) && year(c) && (value(&a.digits) <= 12 || value(&b.digits) <= 12);
        if same_sep && (ymd || dmy) {
            date[i..i + 3].iter_mut().for_each(|d| *d = true);
        }
    }
    date
}

/// Finds runs of digit groups and masks the phone, ID-card and bank-card numbers in them.
fn mask_numbers(chars: &[char], mask: &mut [bool]) {
    let mut i = 0;
    while i < chars.len() {
        if mask[i] || digit(chars[i]).is_none() {
            i += 1;
            continue;
        }
        let (groups, end) = chain_at(chars, mask, i);
        mask_chain(chars, &groups, mask);
        i = end.max(i + 1);
    }
}

/// The passes over one run of groups: ID cards, mobile numbers, then the longest other number.
fn mask_chain(chars: &[char], groups: &[Group], mask: &mut [bool]) {
    let dates = date_groups(chars, groups);
    let mut used = vec![false; groups.len()];
    type Accept = fn(Kind) -> bool;
    let passes: [(Accept, bool); 3] = [
        (|k| k == Kind::IdCard, false),
        (|k| matches!(k, Kind::Mobile(_) | Kind::Service), false),
        (|k| matches!(k, Kind::Long | Kind::Landline), true),
    ];
    for (accept, longest) in passes {
        let mut a = 0;
        while a < groups.len() {
            match pick(groups, &dates, &used, a, accept, longest) {
                Some((b, k, with_x)) => {
                    mask_range(&groups[a..=b], k, with_x, mask);
                    used[a..=b].iter_mut().for_each(|u| *u = true);
                    a = b + 1;
                }
                None => a += 1,
            }
        }
    }
}

/// The end of the number of an accepted kind that starts at group `a` (the first one found, or
/// the longest), if any, and whether a final X is part of it (else it is a letter after the
/// number). A number of several groups may not hold a date, unless it is an ID card.
fn pick(
    groups: &[Group],
    dates: &[bool],
    used: &[bool],
    a: usize,
    accept: fn(Kind) -> bool,
    longest: bool,
) -> Option<(usize, Kind, bool)> {
    let mut digits: Vec<u8> = Vec::new();
    let mut found = None;
    let mut has_date = false;
    for b in a..groups.len() {
        if used[b] {
            break;
        }
        digits.extend_from_slice(&groups[b].digits);
        has_date |= dates[b];
        if digits.len() > 19 {
            break;
        }
        let x = groups[b].final_x;
        let judged =
            kind(&digits, x).map(|k| (k, x)).or_else(|| x.then(|| kind(&digits, false)).flatten().map(|k| (k, false)));
        let Some((k, with_x)) = judged else { continue };
        if !accept(k) || (b > a && has_date && k != Kind::IdCard) {
            continue;
        }
        found = Some((b, k, with_x));
        if !longest {
            break;
        }
    }
    found
}

/// Masks a number's digits but the last four (and the country code of a mobile number); a
/// service number stays whole.
fn mask_range(groups: &[Group], k: Kind, with_x: bool, mask: &mut [bool]) {
    if k == Kind::Service {
        return;
    }
    let mut positions: Vec<usize> = groups.iter().flat_map(|g| g.positions.iter().copied()).collect();
    if groups.last().is_some_and(|g| g.final_x) && !with_x {
        positions.pop();
    }
    let skip = if let Kind::Mobile(prefix) = k { prefix } else { 0 };
    let end = positions.len().saturating_sub(4);
    for &p in positions.get(skip..end).unwrap_or(&[]) {
        mask[p] = true;
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn mobile_numbers_keep_their_last_four_digits() {
        assert_eq!(redact("13811112222"), "*******2222");
        assert_eq!(redact("电话：138 1111 2222，速回"), "电话：*** **** 2222，速回");
        assert_eq!(redact("138-1111-2222"), "***-****-2222");
        assert_eq!(redact("+86 138 1111 2222"), "+86 *** **** 2222");
        assert_eq!(redact("+8613811112222"), "+86*******2222");
        assert_eq!(redact("0086 13811112222"), "0086 *******2222");
        assert_eq!(redact("全角１３８１１１１２２２２"), "全角*******２２２２");
    }

    #[test]
    fn phone_digits_may_be_separated_by_runs_of_spaces_dots_slashes_emoji_and_invisibles() {
        assert_eq!(redact("138   1111   2222"), "***   ****   2222");
        assert_eq!(redact("138.1111.2222"), "***.****.2222");
        assert_eq!(redact("138/1111/2222"), "***/****/2222");
        assert_eq!(redact("138·1111·2222"), "***·****·2222");
        assert_eq!(redact("138_1111_2222"), "***_****_2222");
        assert_eq!(redact("1😀3😀8😀1111😀2222"), "*😀*😀*😀****😀2222");
        assert_eq!(redact("138\u{200B}1111\u{200D}2222"), "***\u{200B}****\u{200D}2222");
        assert_eq!(redact("138\u{2060}1111\u{FEFF}2222"), "***\u{2060}****\u{FEFF}2222");
        assert_eq!(redact("1️⃣3️⃣8️⃣1111 2222"), "*️⃣*️⃣*️⃣**** 2222");
        assert_eq!(redact("(138) 1111-2222"), "(***) ****-2222");
        assert_eq!(redact("138 - 1111 - 2222"), "*** - **** - 2222");
        // more than MAX_GAP separators end the number
        assert_eq!(redact("138         11112222"), "138         11112222");
    }

    #[test]
    fn chinese_numerals_and_mixed_digit_forms() {
        assert_eq!(redact("一三八一一一一二二二二"), "*******二二二二");
        assert_eq!(redact("幺三八 幺幺幺幺 两两两两"), "*** **** 两两两两");
        assert_eq!(redact("壹叁捌壹壹壹壹贰贰贰贰"), "*******贰贰贰贰");
        assert_eq!(redact("1三8一111２２２２"), "*******２２２２");
        assert_eq!(redact("〇七五五 一二三四 五六七八"), "**** **** 五六七八");
        assert_eq!(redact("①③⑧①①①①②②②②"), "*******②②②②");
        assert_eq!(redact("欠一13811112222"), "欠一*******2222");
        // numerals in prose stay
        for text in ["一二三四五六七八九十", "两三天内还清", "第一次逾期", "二〇二五年三月三日"]
        {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn landlines_id_cards_and_bank_cards() {
        assert_eq!(redact("座机0755-12345678"), "座机****-****5678");
        assert_eq!(redact("010 87654321"), "*** ****4321");
        assert_eq!(redact("(010) 8765 4321"), "(***) **** 4321");
        assert_eq!(redact("身份证11010519491231002X"), "身份证**************002X");
        assert_eq!(redact("身份证110105194912310021号"), "身份证**************0021号");
        assert_eq!(redact("身份证 110105 19491231 002X"), "身份证 ****** ******** 002X");
        assert_eq!(redact("身份证110105-1949-12-31-002X"), "身份证******-****-**-**-002X");
        assert_eq!(redact("旧证110105491231002"), "旧证***********1002");
        assert_eq!(redact("卡号6222 0212 3456 7890 123"), "卡号**** **** **** ***0 123");
        assert_eq!(redact("卡号6222  0212   3456 7890"), "卡号****  ****   **** 7890");
        assert_eq!(redact("卡号6222.0212.3456.7890"), "卡号****.****.****.7890");
        assert_eq!(redact("卡号6222021234567890"), "卡号************7890");
        // an x after a number that is not an ID card is a letter
        assert_eq!(redact("13811112222x"), "*******2222x");
    }

    #[test]
    fn e_mail_local_parts_are_masked_whole_and_domains_kept() {
        assert_eq!(redact("发到 zhang.wei1984@qq.com 了"), "发到 *************@qq.com 了");
        assert_eq!(redact("wang.li@163.com"), "*******@163.com");
        assert_eq!(redact("ab@example.cn"), "**@example.cn");
        assert_eq!(redact("wang.li＠qq。com"), "*******＠qq。com");
        assert_eq!(redact("ｗａｎｇ＠ｑｑ．ｃｏｍ"), "****＠ｑｑ．ｃｏｍ");
        assert_eq!(redact("邮箱 wang.li @ qq.com 。"), "邮箱 ******* @ qq.com 。");
        assert_eq!(redact("发到wang@qq.com。"), "发到****@qq.com。");
        assert_eq!(redact("user@localhost 和 @某人"), "user@localhost 和 @某人");
        assert_eq!(redact("找 @ 张三 说"), "找 @ 张三 说");
        assert_eq!(redact("a @ b.xyz"), "a @ b.xyz");
    }

    #[test]
    fn wechat_and_qq_ids_after_the_words_that_name_them() {
        assert_eq!(redact("加微信：wang_li88"), "加微信：*********");
        assert_eq!(redact("微信号 Wang-Li2024 速加"), "微信号 *********** 速加");
        assert_eq!(redact("VX: abc123456"), "VX: *********");
        assert_eq!(redact("vx：abc123456"), "vx：*********");
        assert_eq!(redact("v信 abcdef"), "v信 ******");
        assert_eq!(redact("QQ号：123456789"), "QQ号：*********");
        assert_eq!(redact("qq 1234 5678"), "qq **** ****");
        assert_eq!(redact("扣扣12345"), "扣扣*****");
        assert_eq!(redact("企鹅号是 987654321"), "企鹅号是 *********");
        assert_eq!(redact("微信 13811112222"), "微信 *******2222");
        assert_eq!(redact("他的wxid_abc123xyz"), "他的**************");
        // not IDs: too short, glued to an ASCII word, or prose
        for text in ["微信 abc", "vxworks123", "QQ群 1234", "微信同号", "微信转账 500元", "QQ 1234"] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn amounts_dates_codes_and_service_numbers_stay() {
        for text in [
            "您的借款2,300.00元将于03月05日到期",
            "验证码 482913，5分钟内有效",
            "验证码482913 有效期10分钟",
            "【速融宝】详询4008-123-456",
            "2024-03-10 12:00 逾期3天",
            "2025.3.3 10:00",
            "2025/03/03",
            "借款期限2025.03.03—2025.04.03",
            "借款期限2025-03-03 2025-04-03",
            "20250303-20250403",
            "03/05/2025 - 04/05/2025",
            "发送方10690001",
            "尾号6632对吧",
            "订单号2024031210",
            "订单号 2024 0312 10",
            "95588 10086 12378",
            "应还 1381.11 元",
            "¥2300.00 ¥1500.00",
            "95588 10086 12378",
            "400-123-4567 / 800-123-4567",
            "10690001 10690002",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn a_phone_number_is_not_absorbed_into_a_longer_number() {
        assert_eq!(redact("还款2300 13811112222"), "还款2300 *******2222");
        assert_eq!(redact("还款2300 138 1111 2222"), "还款2300 *** **** 2222");
        assert_eq!(redact("13811112222 13911113333"), "*******2222 *******3333");
        assert_eq!(redact("138 1111 2222 139 1111 3333"), "*** **** 2222 *** **** 3333");
        assert_eq!(redact("2025-03-03 13811112222"), "2025-03-03 *******2222");
        assert_eq!(redact("6222 0212 3456 7890 138 1111 2222"), "**** **** **** 7890 *** **** 2222");
    }

    #[test]
    fn length_in_characters_is_kept() {
        let text = "😀打138 1111 2222或发 a.b.c.d.e@163.com，身份证11010519491231002X，微信 wang_li88";
        assert_eq!(redact(text).chars().count(), text.chars().count());
    }
}
