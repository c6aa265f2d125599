//! The affected customer's identity documents and phone, and how they are masked wherever they
//! are listed: 110101********1234, 138****5678.
use super::Reason;
use crate::domain::text_between;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

named_enum! {
    /// The documents an agent meets at a customer's side.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
    #[serde(rename_all = "snake_case")]
    #[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
    pub enum IdKind {
        /// 居民身份证 (GB 11643).
        #[default]
        #[serde(rename = "resident_id")]
        ResidentCard = "resident_id",
        /// 港澳居民来往内地通行证.
        #[serde(rename = "hk_macau_permit")]
        HkMacaoPermit = "hk_macau_permit",
        /// 台湾居民来往大陆通行证.
        TaiwanPermit = "taiwan_permit",
        /// 护照.
        Passport = "passport",
    }
}

impl IdKind {
    pub fn parse(raw: &str) -> Result<IdKind, Reason> {
        IdKind::from_name(raw.trim()).ok_or(Reason::UnknownValue)
    }
}

/// A document number that has the shape its kind requires; for a resident card, also the
/// GB 11643 check digit and a real birth date. Printed (`Debug`) masked, so no log holds it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdNumber {
    kind: IdKind,
    number: String,
}

/// GB 11643-1999: weights of the first 17 digits, and the check character for sum mod 11.
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [u8; 11] = *b"10X98765432";

impl IdNumber {
    /// `today` bounds the birth date (no one is born tomorrow, nor before 1900).
    pub fn parse(kind: IdKind, raw: &str, today: NaiveDate) -> Result<IdNumber, Reason> {
        let number: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_ascii_uppercase();
        if number.is_empty() {
            return Err(Reason::Required);
        }
        let ascii_alnum = number.bytes().all(|b| b.is_ascii_alphanumeric());
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        match kind {
            IdKind::ResidentCard => check_resident_card(&number, today)?,
            IdKind::HkMacaoPermit => {
                // H or M, then 8 digits (10 with the two-digit issue count).
                let (head, rest) = number.split_at(1.min(number.len()));
                if !(matches!(head, "H" | "M") && digits(rest) && matches!(rest.len(), 8 | 10)) {
                    return Err(Reason::IdFormat);
                }
            }
            IdKind::TaiwanPermit => {
                // 8 digits since 2015; older booklets 10 characters.
                let ok =
                    (number.len() == 8 && digits(&number)) || (number.len() == 10 && ascii_alnum);
                if !ok {
                    return Err(Reason::IdFormat);
                }
            }
            IdKind::Passport => {
                if !(ascii_alnum && (5..=20).contains(&number.len())) {
                    return Err(Reason::IdFormat);
                }
            }
        }
        Ok(IdNumber { kind, number })
    }

    pub fn kind(&self) -> IdKind {
        self.kind
    }

    /// The full number: only for the customer's own incident page, and (later) audited.
    pub fn expose(&self) -> &str {
        &self.number
    }

    /// What lists and notifications show.
    pub fn masked(&self) -> String {
        match self.kind {
            IdKind::ResidentCard => mask(&self.number, 6, 4),
            _ => mask(&self.number, 2, 2),
        }
    }
}

fn check_resident_card(number: &str, today: NaiveDate) -> Result<(), Reason> {
    let bytes = number.as_bytes();
    let shaped = bytes.len() == 18
        && bytes[..17].iter().all(u8::is_ascii_digit)
        && (bytes[17].is_ascii_digit() || bytes[17] == b'X');
    if !shaped {
        return Err(Reason::IdFormat);
    }
    let birth =
        NaiveDate::parse_from_str(&number[6..14], "%Y%m%d").map_err(|_| Reason::IdBirthDate)?;
    if birth > today || birth.year() < 1900 {
        return Err(Reason::IdBirthDate);
    }
    if resident_card_check(&bytes[..17]) != Some(bytes[17]) {
        return Err(Reason::IdChecksum);
    }
    Ok(())
}

/// The GB 11643 check character (`0`–`9` or `X`) of a resident card's first 17 digits; `None`
/// unless they are 17 ASCII digits.
pub(crate) fn resident_card_check(first17: &[u8]) -> Option<u8> {
    if first17.len() != 17 || !first17.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(CHECK[(sum % 11) as usize])
}

/// A mainland mobile number: 11 digits starting 13–19; `+86`, spaces and dashes are accepted.
/// Printed (`Debug`) masked.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl std::fmt::Debug for Phone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Phone({})", self.masked())
    }
}

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({:?}, {})", self.kind, self.masked())
    }
}

impl Phone {
    pub fn parse(raw: &str) -> Result<Phone, Reason> {
        let digits: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect();
        if digits.is_empty() {
            return Err(Reason::Required);
        }
        let national = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("0086"))
            .unwrap_or(&digits);
        let b = national.as_bytes();
        let ok = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if ok {
            Ok(Phone(national.to_owned()))
        } else {
            Err(Reason::PhoneFormat)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// 138****5678.
    pub fn masked(&self) -> String {
        mask(&self.0, 3, 4)
    }
}

/// Free text (a description, a message) with every number that looks like a resident ID (15 or
/// 18 characters) or a mobile number (11 digits from 1) masked as the fields are: for messages
/// that leave the app, such as WeCom pushes.
pub fn mask_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|c| c.is_ascii_digit() || matches!(c, 'X' | 'x'))
            .count();
        if run == 0 {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let word: String = chars[i..i + run].iter().collect();
        let digits_then_check = word[..run - 1].bytes().all(|b| b.is_ascii_digit());
        let masked = match run {
            18 | 15 if digits_then_check => mask(&word, 6, 4),
            11 if word.starts_with('1') && word.bytes().all(|b| b.is_ascii_digit()) => {
                mask(&word, 3, 4)
            }
            _ => word,
        };
        out.push_str(&masked);
        i += run;
    }
    out
}

/// Keeps `head` and `tail` characters and stars the rest (everything, if too short to keep any).
pub(crate) fn mask(value: &str, head: usize, tail: usize) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= head + tail {
        return "*".repeat(chars.len());
    }
    let mut out: String = chars[..head].iter().collect();
    out.push_str(&"*".repeat(chars.len() - head - tail));
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// `text` written about one customer, retold about another: the first one's customer number and
/// name become the second one's (or a neutral word where the second has none). The reporter of
/// an incident merged into another reads that one's answers this way: a canned reply's
/// `{customer_name}` names their own customer, never the other reporter's.
pub fn retell(
    text: &str,
    from: (Option<&str>, Option<&str>),
    to: (Option<&str>, Option<&str>),
) -> String {
    let mut out = text.to_owned();
    let (from_name, from_number) = from;
    let (to_name, to_number) = to;
    // Whole numbers only, whatever their length (the shortest the settings allow is one digit):
    // its digits inside another number are not it.
    if let Some(number) = from_number.map(str::trim).filter(|n| !n.is_empty()) {
        out = replace_number(&out, number, to_number.unwrap_or("（客户号）"));
    }
    // A one-character name would replace that character everywhere.
    if let Some(name) = from_name.map(str::trim).filter(|n| n.chars().count() >= 2) {
        out = out.replace(name, to_name.unwrap_or("客户"));
    }
    out
}

/// `text` with every run of digits that is exactly `number` replaced by `with`.
fn replace_number(text: &str, number: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let digits = &rest[start..];
        let len = digits
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(digits.len());
        let run = &digits[..len];
        out.push_str(if run == number { with } else { run });
        rest = &digits[len..];
    }
    out.push_str(rest);
    out
}

/// An answer of the incident a duplicate was merged into, as the duplicate's reporter reads it
/// (on their page and in WeCom): retold about their own customer, with every ID and phone
/// number left masked, since those may still be the other customer's.
pub fn for_follower(
    text: &str,
    from: (Option<&str>, Option<&str>),
    to: (Option<&str>, Option<&str>),
) -> String {
    mask_numbers(&retell(text, from, to))
}

/// The affected customer's name as the reporter knows it (Chinese names, 少数民族 names with `·`,
/// foreign names with spaces all pass).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerName(String);

impl CustomerName {
    pub fn parse(raw: &str) -> Result<CustomerName, Reason> {
        text_between(raw, 1, 50).map(CustomerName)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// 资金账号/客户号: digits only, of a length the deployment sets (`MSS_CUSTOMER_NO_LENGTH`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerNumber(String);

impl CustomerNumber {
    pub const MIN_LEN: u32 = 6;
    pub const MAX_LEN: u32 = 20;

    pub fn parse_between(raw: &str, min: u32, max: u32) -> Result<CustomerNumber, Reason> {
        let value: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        let len = value.chars().count() as u32;
        if value.is_empty() {
            Err(Reason::Required)
        } else if !value.bytes().all(|b| b.is_ascii_digit()) {
            Err(Reason::DigitsOnly)
        } else if !(min..=max).contains(&len) {
            Err(Reason::LengthBetween { min, max })
        } else {
            Ok(CustomerNumber(value))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_is_retold_about_the_followers_own_customer() {
        let from = (Some("张三"), Some("310012345678"));
        assert_eq!(
            retell(
                "张三您好，310012345678 已恢复",
                from,
                (Some("李四"), Some("310099998888"))
            ),
            "李四您好，310099998888 已恢复"
        );
        assert_eq!(
            retell("张三您好，310012345678 已恢复", from, (None, None)),
            "客户您好，（客户号） 已恢复"
        );
        // One character is not a name to replace everywhere.
        assert_eq!(
            retell("王经理已处理", (Some("王"), None), (Some("李"), None)),
            "王经理已处理"
        );
        assert_eq!(
            retell("无关的文字", (None, None), (Some("李四"), None)),
            "无关的文字"
        ); // A short customer number is replaced too, where it stands as a number of its own.
        assert_eq!(
            retell(
                "客户号 12345 已解冻，委托单 912345 与 123456 正常",
                (None, Some("12345")),
                (None, Some("67890"))
            ),
            "客户号 67890 已解冻，委托单 912345 与 123456 正常"
        );
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 21).unwrap()
    }

    #[test]
    fn numbers_in_free_text_are_masked() {
        let text = "客户11010519491231002X开户失败，电话13812345678，客户号310012345678";
        assert_eq!(
            mask_numbers(text),
            "客户110105********002X开户失败，电话138****5678，客户号310012345678"
        );
        assert_eq!(
            mask_numbers("旧证 110105491231002 ok"),
            "旧证 110105*****1002 ok"
        );
        assert_eq!(mask_numbers("无号码"), "无号码");
    }

    #[test]
    fn resident_cards_follow_gb_11643() {
        // Two ending in X, one in a digit.
        assert!(IdNumber::parse(IdKind::ResidentCard, "11010519491231002X", today()).is_ok());
        assert!(IdNumber::parse(IdKind::ResidentCard, "11010119900307803X", today()).is_ok());
        assert!(IdNumber::parse(IdKind::ResidentCard, "310115198506151236", today()).is_ok());
        // The standard's example is born in 1880: right check digit, refused as implausible.
        assert_eq!(
            IdNumber::parse(IdKind::ResidentCard, "440524188001010014", today()),
            Err(Reason::IdBirthDate)
        );
        let spaced =
            IdNumber::parse(IdKind::ResidentCard, "110105 19491231 002x", today()).unwrap();
        assert_eq!(spaced.expose(), "11010519491231002X");
        assert_eq!(
            IdNumber::parse(IdKind::ResidentCard, "110105194912310021", today()),
            Err(Reason::IdChecksum)
        );
        assert_eq!(
            IdNumber::parse(IdKind::ResidentCard, "11010519491231002", today()),
            Err(Reason::IdFormat)
        );
        assert_eq!(
            IdNumber::parse(IdKind::ResidentCard, "", today()),
            Err(Reason::Required)
        );
    }

    #[test]
    fn resident_card_birth_dates_are_real_and_past() {
        // 1949-02-30 does not exist; 2030 has not happened; 1850 is too early. (Check digits
        // are right in each, so only the date is wrong.)
        for number in [
            "110105194902300010",
            "110105203001010013",
            "110105185001010016",
        ] {
            let digits: Vec<u32> = number
                .bytes()
                .take(17)
                .map(|b| u32::from(b - b'0'))
                .collect();
            let sum: u32 = digits.iter().zip(WEIGHTS).map(|(d, w)| d * w).sum();
            let fixed = format!("{}{}", &number[..17], CHECK[(sum % 11) as usize] as char);
            assert_eq!(
                IdNumber::parse(IdKind::ResidentCard, &fixed, today()),
                Err(Reason::IdBirthDate),
                "{fixed}"
            );
        }
    }

    #[test]
    fn other_documents_have_their_shapes() {
        assert!(IdNumber::parse(IdKind::HkMacaoPermit, "H12345678", today()).is_ok());
        assert!(IdNumber::parse(IdKind::HkMacaoPermit, "m1234567801", today()).is_ok());
        assert_eq!(
            IdNumber::parse(IdKind::HkMacaoPermit, "X12345678", today()),
            Err(Reason::IdFormat)
        );
        assert!(IdNumber::parse(IdKind::TaiwanPermit, "12345678", today()).is_ok());
        assert_eq!(
            IdNumber::parse(IdKind::TaiwanPermit, "1234567", today()),
            Err(Reason::IdFormat)
        );
        assert!(IdNumber::parse(IdKind::Passport, "E12345678", today()).is_ok());
        assert_eq!(
            IdNumber::parse(IdKind::Passport, "E1", today()),
            Err(Reason::IdFormat)
        );
        assert_eq!(
            IdNumber::parse(IdKind::Passport, "护照12345", today()),
            Err(Reason::IdFormat)
        );
    }

    #[test]
    fn numbers_are_masked_in_lists() {
        let id = IdNumber::parse(IdKind::ResidentCard, "11010519491231002X", today()).unwrap();
        assert_eq!(id.masked(), "110105********002X");
        let permit = IdNumber::parse(IdKind::HkMacaoPermit, "H12345678", today()).unwrap();
        assert_eq!(permit.masked(), "H1*****78");
        assert_eq!(
            Phone::parse("138 0013 5678").unwrap().masked(),
            "138****5678"
        );
        assert_eq!(mask("abc", 2, 2), "***");
    }

    #[test]
    fn debug_output_is_masked() {
        let id = IdNumber::parse(IdKind::ResidentCard, "11010519491231002X", today()).unwrap();
        assert!(!format!("{id:?}").contains("11010519491231002X"));
        assert!(!format!("{:?}", Phone::parse("13800135678").unwrap()).contains("13800135678"));
    }

    #[test]
    fn mainland_mobiles_only() {
        assert_eq!(
            Phone::parse("+86 138-0013-5678").unwrap().expose(),
            "13800135678"
        );
        assert_eq!(
            Phone::parse("008613800135678").unwrap().expose(),
            "13800135678"
        );
        assert_eq!(Phone::parse("12800135678"), Err(Reason::PhoneFormat));
        assert_eq!(Phone::parse("1380013567"), Err(Reason::PhoneFormat));
        assert_eq!(Phone::parse("021-12345678"), Err(Reason::PhoneFormat));
        assert_eq!(Phone::parse(" "), Err(Reason::Required));
    }

    #[test]
    fn kinds_round_trip() {
        for kind in IdKind::ALL {
            assert_eq!(IdKind::parse(kind.as_str()), Ok(kind));
        }
        assert_eq!(IdKind::default(), IdKind::ResidentCard);
    }

    #[test]
    fn customer_number_length_is_bounded() {
        assert_eq!(
            CustomerNumber::parse_between("12345", 6, 20),
            Err(Reason::LengthBetween { min: 6, max: 20 })
        );
        assert!(CustomerNumber::parse_between("123456", 6, 20).is_ok());
        assert!(CustomerNumber::parse_between(&"1".repeat(21), 6, 20).is_err());
        assert_eq!(
            CustomerNumber::parse_between("12a", 6, 20),
            Err(Reason::DigitsOnly)
        );
    }
}
