//! Masking of phone, ID-card and bank-card numbers and e-mail addresses, keeping the last four
//! digits, so that a report or a classified corpus can be shared.
//!
//! Masking replaces one character by one `*`, so the text keeps its length in characters and
//! evidence spans (character offsets) computed on the original still point at the same words.

/// Returns `text` with phone numbers (mobile, with or without +86, and landlines with an area
/// code), ID-card numbers (18 and 15 digits), bank-card numbers (16 to 19 digits) and e-mail
/// addresses masked; the last four digits of a number and of an address's local part stay.
/// Digits may be ASCII or full-width and may be grouped by single spaces or dashes
/// (`138 1111 2222`, `6222-0212-3456-7890`).
///
/// ```
/// use cuishou::output::redact;
/// assert_eq!(redact("打13811112222找我"), "打*******2222找我");
/// assert_eq!(redact("邮箱 zhangwei1984@qq.com"), "邮箱 ********1984@qq.com");
/// assert_eq!(redact("欠款2,300.00元，验证码482913"), "欠款2,300.00元，验证码482913");
/// ```
pub fn redact(text: &str) -> String {
    if !text.chars().any(|c| digit_value(c).is_some() || c == '@') {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut mask = vec![false; chars.len()];
    mask_emails(&chars, &mut mask);
    mask_numbers(&chars, &mut mask);
    chars.iter().zip(&mask).map(|(&c, &m)| if m { '*' } else { c }).collect()
}

/// An ASCII or full-width digit's value.
fn digit_value(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => Some((c as u32 - '０' as u32) as u8),
        _ => None,
    }
}

fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '\u{00A0}' | '－' | '　')
}

fn is_x(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')
}

fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')
}

fn is_domain_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-')
}

/// Masks the local part of each `local@domain.tld`, keeping its last four characters.
fn mask_emails(chars: &[char], mask: &mut [bool]) {
    for at in 0..chars.len() {
        if chars[at] != '@' {
            continue;
        }
        let mut start = at;
        while start > 0 && is_local_char(chars[start - 1]) {
            start -= 1;
        }
        while start < at && matches!(chars[start], '.' | '-' | '+') {
            start += 1;
        }
        let mut end = at + 1;
        while end < chars.len() && is_domain_char(chars[end]) {
            end += 1;
        }
        while end > at + 1 && matches!(chars[end - 1], '.' | '-') {
            end -= 1;
        }
        let domain: String = chars[at + 1..end].iter().collect();
        let tld_ok = domain.rsplit_once('.').is_some_and(|(host, tld)| {
            !host.is_empty() && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
        });
        if start == at || !tld_ok {
            continue;
        }
        let keep = 4.min(at - start);
        let keep = if at - start <= 4 { 0 } else { keep };
        for m in &mut mask[start..at - keep] {
            *m = true;
        }
    }
}

/// What a run of digits is, if it is something to mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A mobile number with the country code 86 in front: the 86 stays.
    MobileWith86,
    Sensitive,
}

/// Classifies a number by its digits (`x` standing for a final X of an ID card).
fn kind(digits: &[u8], final_x: bool) -> Option<Kind> {
    let n = digits.len() + usize::from(final_x);
    if final_x {
        // an 18-character ID card ends in a check character that may be X
        return (n == 18).then_some(Kind::Sensitive);
    }
    let mobile = |d: &[u8]| d.len() == 11 && d[0] == 1 && (3..=9).contains(&d[1]);
    if mobile(digits) {
        return Some(Kind::Sensitive);
    }
    if n == 13 && digits[0] == 8 && digits[1] == 6 && mobile(&digits[2..]) {
        return Some(Kind::MobileWith86);
    }
    match n {
        // old 15-digit ID cards, 18-digit ID cards, 16–19-digit bank cards
        15..=19 => Some(Kind::Sensitive),
        // a landline with its area code: 010-12345678, 0755 1234 5678
        10..=12 if digits[0] == 0 => Some(Kind::Sensitive),
        _ => None,
    }
}

/// One digit group of a candidate number: positions of its characters in the text.
struct Group {
    positions: Vec<usize>,
    digits: Vec<u8>,
    final_x: bool,
}

fn mask_group_list(groups: &[Group], mask: &mut [bool]) -> bool {
    let digits: Vec<u8> = groups.iter().flat_map(|g| g.digits.iter().copied()).collect();
    let final_x = groups.last().is_some_and(|g| g.final_x);
    let Some(k) = kind(&digits, final_x) else { return false };
    let positions: Vec<usize> = groups.iter().flat_map(|g| g.positions.iter().copied()).collect();
    let skip = if k == Kind::MobileWith86 { 2 } else { 0 };
    let end = positions.len().saturating_sub(4);
    for &p in positions.get(skip..end).unwrap_or(&[]) {
        mask[p] = true;
    }
    true
}

/// Finds runs of digit groups separated by single spaces or dashes and masks those that are
/// phone, ID-card or bank-card numbers. A run whose groups are not shaped like a grouped number
/// (every group at most 8 digits) is judged group by group, so `还款2300 13811112222` masks
/// only the phone number.
fn mask_numbers(chars: &[char], mask: &mut [bool]) {
    let mut i = 0;
    while i < chars.len() {
        if digit_value(chars[i]).is_none() || mask[i] {
            i += 1;
            continue;
        }
        // A number glued to letters or other digits on its left (a code, an order number) is
        // still a number; only what follows decides where it ends.
        let mut groups: Vec<Group> = Vec::new();
        let mut j = i;
        loop {
            let mut g = Group { positions: Vec::new(), digits: Vec::new(), final_x: false };
            while j < chars.len() && !mask[j] {
                match digit_value(chars[j]) {
                    Some(d) => {
                        g.positions.push(j);
                        g.digits.push(d);
                        j += 1;
                    }
                    None => break,
                }
            }
            if j < chars.len() && is_x(chars[j]) && !mask[j] {
                let next_is_word = chars.get(j + 1).is_some_and(|c| c.is_ascii_alphanumeric());
                if !next_is_word {
                    g.positions.push(j);
                    g.final_x = true;
                    j += 1;
                }
            }
            let ended_by_x = g.final_x;
            groups.push(g);
            let continues = !ended_by_x
                && j + 1 < chars.len()
                && is_separator(chars[j])
                && digit_value(chars[j + 1]).is_some()
                && !mask[j + 1];
            if !continues {
                break;
            }
            j += 1;
        }
        // Digits run on into letters (an order number such as 2024031213811112222A) are not
        // judged by their total length; their groups are.
        let grouped_shape = groups.len() == 1 || groups.iter().all(|g| g.positions.len() <= 8);
        if !(grouped_shape && mask_group_list(&groups, mask)) && groups.len() > 1 {
            for g in &groups {
                mask_group_list(std::slice::from_ref(g), mask);
            }
        }
        i = j.max(i + 1);
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
        assert_eq!(redact("全角１３８１１１１２２２２"), "全角*******２２２２");
    }

    #[test]
    fn landlines_id_cards_and_bank_cards() {
        assert_eq!(redact("座机0755-12345678"), "座机****-****5678");
        assert_eq!(redact("010 87654321"), "*** ****4321");
        assert_eq!(redact("身份证11010519491231002X"), "身份证**************002X");
        assert_eq!(redact("身份证110105194912310021号"), "身份证**************0021号");
        assert_eq!(redact("旧证110105491231002"), "旧证***********1002");
        assert_eq!(redact("卡号6222 0212 3456 7890 123"), "卡号**** **** **** ***0 123");
        assert_eq!(redact("卡号6222021234567890"), "卡号************7890");
    }

    #[test]
    fn e_mail_addresses_keep_the_domain() {
        assert_eq!(redact("发到 zhang.wei1984@qq.com 了"), "发到 *********1984@qq.com 了");
        assert_eq!(redact("ab@example.cn"), "**@example.cn");
        assert_eq!(redact("user@localhost 和 @某人"), "user@localhost 和 @某人");
    }

    #[test]
    fn amounts_dates_codes_and_service_numbers_stay() {
        for text in [
            "您的借款2,300.00元将于03月05日到期",
            "验证码 482913，5分钟内有效",
            "【速融宝】详询4008-123-456",
            "2024-03-10 12:00 逾期3天",
            "发送方10690001",
            "尾号6632对吧",
            "订单号2024031210",
        ] {
            assert_eq!(redact(text), text);
        }
    }

    #[test]
    fn a_number_run_is_split_when_its_groups_are_not_a_grouped_number() {
        assert_eq!(redact("还款2300 13811112222"), "还款2300 *******2222");
        assert_eq!(redact("13811112222 13911113333"), "*******2222 *******3333");
    }

    #[test]
    fn length_in_characters_is_kept() {
        let text = "😀打138 1111 2222或发 a.b.c.d.e@163.com，身份证11010519491231002X";
        assert_eq!(redact(text).chars().count(), text.chars().count());
    }
}
