use super::*;

fn user_form() -> UserForm {
    UserForm {
        login: "Zhao.Li".into(),
        display_name: "赵丽".into(),
        role: "member".into(),
        wecom_user_id: " ZhaoLi ".into(),
        password: "long-enough".into(),
        groups: vec![
            "operations".into(),
            "".into(),
            "operations".into(),
            "testing".into(),
        ],
        on_duty: String::new(),
    }
}

#[test]
fn only_members_are_put_in_transfer_groups() {
    for role in ["reporter", "handler", "admin"] {
        let errors = UserForm {
            role: role.into(),
            ..user_form()
        }
        .parse_change()
        .unwrap_err();
        assert_eq!(
            errors,
            [FieldError {
                field: Field::Group,
                reason: Reason::MembersOnly
            }],
            "{role}"
        );
        let change = UserForm {
            role: role.into(),
            groups: vec![String::new()],
            ..user_form()
        }
        .parse_change()
        .unwrap();
        assert!(change.groups.is_empty());
    }
    assert_eq!(user_form().parse_change().unwrap().groups.len(), 2);
}

#[test]
fn a_new_account_needs_everything_and_a_password() {
    let (change, _) = user_form().parse_new().unwrap();
    assert_eq!(change.login.as_str(), "zhao.li");
    assert_eq!(change.wecom_user_id.unwrap().as_str(), "ZhaoLi");
    assert_eq!(
        change.groups.iter().map(Code::as_str).collect::<Vec<_>>(),
        ["operations", "testing"]
    );
    let errors = UserForm {
        password: "short".into(),
        role: String::new(),
        ..user_form()
    }
    .parse_new()
    .unwrap_err();
    let fields: Vec<Field> = errors.iter().map(|e| e.field).collect();
    assert_eq!(fields, [Field::Role, Field::Password]);
    // Changing an account ignores the password.
    assert!(UserForm {
        password: String::new(),
        ..user_form()
    }
    .parse_change()
    .is_ok());
}

#[test]
fn wecom_user_ids_are_optional_and_shaped() {
    assert_eq!(WecomUserId::parse_optional("  "), Ok(None));
    assert_eq!(
        WecomUserId::parse_optional("zhang san"),
        Err(Reason::LoginChars)
    );
    assert_eq!(
        WecomUserId::parse_optional(&"a".repeat(65)),
        Err(Reason::TooLong { max: 64 })
    );
    assert!(WecomUserId::parse_optional("li.na@corp-1")
        .unwrap()
        .is_some());
}

#[test]
fn list_entries_new_and_edited() {
    let new = ListEntryForm {
        kind: "category".into(),
        code: "data_fix".into(),
        name_zh: "数据修复".into(),
        name_en: "Data fix".into(),
        parent: "data".into(),
        ..Default::default()
    };
    assert!(matches!(
        new.parse(),
        Ok(ListEntryChange::New {
            parent: Some(Category::Data),
            ..
        })
    ));
    let no_parent = ListEntryForm {
        parent: String::new(),
        ..new.clone()
    };
    assert_eq!(no_parent.parse().unwrap_err()[0].field, Field::Category);
    let taken = ListEntryForm {
        code: "program".into(),
        ..new.clone()
    };
    assert_eq!(taken.parse().unwrap_err()[0].reason, Reason::Taken);
    let system = ListEntryForm {
        kind: "system".into(),
        code: "Bad Code".into(),
        name_zh: String::new(),
        ..new.clone()
    };
    let fields: Vec<Field> = system
        .parse()
        .unwrap_err()
        .iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, [Field::NameZh, Field::Code]);
    let edit = ListEntryForm {
        kind: "group".into(),
        id: "7".into(),
        name_zh: "运维".into(),
        name_en: "Ops".into(),
        position: "x".into(),
        ..Default::default()
    };
    assert_eq!(
        edit.parse().unwrap_err()[0].reason,
        Reason::NumberBetween { min: 0, max: 9999 }
    );
    let retired = ListEntryForm {
        position: "30".into(),
        ..edit
    };
    assert!(matches!(
        retired.parse(),
        Ok(ListEntryChange::Edit {
            id: 7,
            active: false,
            ..
        })
    ));
}

#[test]
fn canned_replies_use_only_known_variables() {
    let form = CannedForm {
        title: "已收到".into(),
        body: "{customer_name}您好，{number} 已收到".into(),
        ..Default::default()
    };
    let change = form.parse().unwrap();
    assert!(change.active && change.id.is_none());
    let typo = CannedForm {
        body: "{customer} 您好".into(),
        ..form.clone()
    };
    assert_eq!(typo.parse().unwrap_err()[0].reason, Reason::UnknownVariable);
    let retired = CannedForm {
        id: "3".into(),
        ..form
    };
    assert!(!retired.parse().unwrap().active);
}

#[test]
fn service_levels_are_positive_and_resolution_comes_last() {
    let ok = SlaForm {
        priority: "P1".into(),
        first_response_minutes: "30".into(),
        resolution_minutes: "240".into(),
    };
    assert_eq!(ok.parse().unwrap().resolution_minutes, 240);
    let backwards = SlaForm {
        resolution_minutes: "20".into(),
        ..ok.clone()
    };
    assert_eq!(
        backwards.parse().unwrap_err()[0].reason,
        Reason::BeforeFirstResponse
    );
    let zero = SlaForm {
        first_response_minutes: "0".into(),
        ..ok
    };
    assert_eq!(
        zero.parse().unwrap_err()[0].field,
        Field::FirstResponseMinutes
    );
}

#[test]
fn audit_searches_parse_and_round_trip() {
    let q = AuditQuery {
        actor: Some("Chen.Jing".into()),
        action: Some("reveal".into()),
        from: Some("2026-11-01".into()),
        ..Default::default()
    };
    let f = q.parse().unwrap();
    assert_eq!(f.actor.unwrap().as_str(), "chen.jing");
    assert_eq!(
        q.with_cursor(Some(42)),
        "actor=Chen.Jing&action=reveal&from=2026-11-01&cursor=42"
    );
    let bad = AuditQuery {
        action: Some("drop table".into()),
        to: Some("yesterday".into()),
        ..Default::default()
    };
    assert_eq!(bad.parse().unwrap_err().len(), 2);
}
