use super::*;

/// A resident card number with a valid check character.
fn id_number(first17: &str) -> String {
    let check = resident_card_check(first17.as_bytes()).unwrap();
    format!("{first17}{}", check as char)
}

/// A card number that passes the Luhn check.
fn card(first: &str) -> String {
    (0..10)
        .map(|d| format!("{first}{d}"))
        .find(|n| luhn(n.as_bytes()))
        .unwrap()
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' => char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap(),
            'X' => 'Ｘ',
            ' ' => '\u{3000}',
            other => other,
        })
        .collect()
}

/// `digits` in groups of `sizes`, joined by `sep`.
fn grouped(digits: &str, sizes: &[usize], sep: &str) -> String {
    let chars: Vec<char> = digits.chars().collect();
    let mut parts = Vec::new();
    let mut at = 0;
    for size in sizes {
        let end = (at + size).min(chars.len());
        parts.push(chars[at..end].iter().collect::<String>());
        at = end;
    }
    if at < chars.len() {
        parts.push(chars[at..].iter().collect());
    }
    parts.join(sep)
}

/// Every digit (ASCII or full-width) and check X of `text`, in order, nothing else.
fn digits_only(text: &str) -> String {
    text.chars()
        .filter_map(|c| {
            digit(c)
                .map(char::from)
                .or_else(|| is_check_x(c).then_some('X'))
        })
        .collect()
}

/// Each planted value in many shapes, in sentences as reporters write them.
fn shapes(value: &str, groups: &[&[usize]]) -> Vec<String> {
    let mut out = vec![value.to_owned(), full_width(value), value.to_lowercase()];
    for sizes in groups {
        for sep in [" ", "-", "－", "  ", "\u{3000}", " - "] {
            let g = grouped(value, sizes, sep);
            out.push(full_width(&g));
            out.push(g);
        }
    }
    out
}

#[test]
fn planted_customer_data_in_every_shape_is_gone() {
    let id = id_number("11010519491231002");
    let id_x = (0..)
        .map(|n| format!("4403061990010{n:04}"))
        .find(|first| resident_card_check(first.as_bytes()) == Some(b'X'))
        .map(|first| format!("{first}X"))
        .unwrap();
    let mobile = "13812345678".to_owned();
    let bank = card("622202123456789012");
    let bank16 = card("436742123456789");
    let planted: Vec<(RemovalKind, String, Vec<String>)> = vec![
        (
            RemovalKind::IdNumber,
            id.clone(),
            shapes(&id, &[&[6, 8, 4], &[3, 3, 4, 4, 4], &[6, 4, 4, 4]]),
        ),
        (
            RemovalKind::IdNumber,
            id_x.clone(),
            shapes(&id_x, &[&[6, 8, 4], &[6, 4, 4, 4]]),
        ),
        (RemovalKind::Mobile, mobile.clone(), {
            let mut s = shapes(&mobile, &[&[3, 4, 4], &[3, 8]]);
            s.push("+86 138 1234 5678".into());
            s.push("+86-13812345678".into());
            s.push("8613812345678".into());
            s.push(full_width("+86 13812345678"));
            s
        }),
        (
            RemovalKind::BankCard,
            bank.clone(),
            shapes(&bank, &[&[4, 4, 4, 4], &[6, 13]]),
        ),
        (
            RemovalKind::BankCard,
            bank16.clone(),
            shapes(&bank16, &[&[4, 4, 4, 4]]),
        ),
    ];
    let sentences = [
        "客户{}反映无法登录",
        "手机号：{}，一直收不到验证码",
        "证件号码{}。",
        "卡号为 {} 的银行卡转账失败",
        "({})",
        "{}",
    ];
    for (kind, value, forms) in &planted {
        for form in forms {
            for sentence in sentences {
                let text = sentence.replace("{}", form);
                let (out, removed) = redact(&text, &Known::default());
                assert!(
                    !digits_only(&out).contains(value.trim_end_matches('X')),
                    "{kind:?} left in {out:?} (from {text:?})"
                );
                assert_eq!(
                    removed.iter().map(|r| r.kind).collect::<Vec<_>>(),
                    [*kind],
                    "{text:?} → {out:?}"
                );
            }
        }
    }
}

#[test]
fn the_incidents_own_customer_goes_whatever_its_shape() {
    let known = Known {
        names: vec!["王小明".into()],
        numbers: vec![(RemovalKind::CustomerNumber, "310001234567".into())],
    };
    let text =
        "王小明（客户号 3100 0123 4567）说：王 小明的账户310001234567冻结了，请王小明本人来。";
    let (out, removed) = redact(text, &known);
    assert!(!out.contains("王小明") && !out.contains("王 小明"), "{out}");
    assert!(!digits_only(&out).contains("310001234567"), "{out}");
    assert_eq!(
        removed
            .iter()
            .filter(|r| r.kind == RemovalKind::Name)
            .count(),
        3
    );
    assert_eq!(removed[1].masked, "31********67");
    assert_eq!(removed[0].masked, "王**");
}

#[test]
fn labelled_numbers_and_names_go_too() {
    let text = "资金账号：０１２３４５６７８９，姓名：李四，户名 欧阳娜娜。客户姓名张三丰反映";
    let (out, removed) = redact(text, &Known::default());
    for gone in ["0123456789", "李四", "欧阳娜娜", "张三丰"] {
        assert!(
            !out.contains(gone) && !digits_only(&out).contains(gone),
            "{gone}: {out}"
        );
    }
    assert!(out.contains("反映"), "{out}");
    assert_eq!(
        removed.iter().map(|r| r.kind).collect::<Vec<_>>(),
        [
            RemovalKind::CustomerNumber,
            RemovalKind::Name,
            RemovalKind::Name,
            RemovalKind::Name
        ]
    );
}

#[test]
fn what_is_not_customer_data_stays() {
    let text = "委托在 9:30 后提交，错误码 E1002，资产满 50 万，版本 10.2.3，2026-11-24 起生效；\
                订单 1234567890123456 不是卡号；单号 110105194912310021 的校验位不对，不是身份证。";
    let (out, removed) = redact(text, &Known::default());
    assert_eq!(out, text, "{removed:?}");
}

#[test]
fn a_phone_beside_another_number_is_still_found() {
    let (out, removed) = redact("13812345678 2024年", &Known::default());
    assert_eq!(out, "[手机号已隐去] 2024年");
    assert_eq!(removed[0].masked, "138****5678");
}

#[test]
fn a_label_says_what_a_number_is_whatever_its_shape() {
    // A mistyped ID (wrong check digit), an old 15-digit one, a card that fails Luhn, a landline.
    let text = "身份证号：110105194912310021；证件号 110105491231002；卡号 6222 0212 3456 7890 127；联系电话 021-6888 8888";
    let (out, removed) = redact(text, &Known::default());
    for gone in [
        "110105194912310021",
        "110105491231002",
        "6222021234567890127",
        "02168888888",
    ] {
        assert!(!digits_only(&out).contains(gone), "{gone}: {out}");
    }
    assert_eq!(
        removed.iter().map(|r| r.kind).collect::<Vec<_>>(),
        [
            RemovalKind::IdNumber,
            RemovalKind::IdNumber,
            RemovalKind::BankCard,
            RemovalKind::Mobile
        ]
    );
}
