use super::*;
use crate::domain::incident::MessageBody;
use crate::domain::incident::Urgency;
use crate::domain::{Field, FieldError};
use chrono::{DateTime, TimeDelta, Utc};
use ActionKind as A;
use Status as S;

/// Every pair of state and action, for each kind of actor: the whole table, written out.
#[test]
fn every_state_and_action_for_the_desk() {
    let table: [(Status, [Option<Status>; 11]); 6] = [
        //            claim             assign            categorize        transfer             return            note              reply             answer           reopen            close          merge
        (
            S::New,
            [
                Some(S::InProgress),
                Some(S::InProgress),
                Some(S::New),
                None,
                None,
                Some(S::New),
                Some(S::New),
                Some(S::Answered),
                None,
                Some(S::Closed),
                Some(S::Merged),
            ],
        ),
        (
            S::InProgress,
            [
                None,
                Some(S::InProgress),
                Some(S::InProgress),
                Some(S::Transferred),
                None,
                Some(S::InProgress),
                Some(S::InProgress),
                Some(S::Answered),
                None,
                Some(S::Closed),
                Some(S::Merged),
            ],
        ),
        (
            S::Transferred,
            [
                None,
                Some(S::Transferred),
                Some(S::Transferred),
                Some(S::Transferred),
                Some(S::InProgress),
                Some(S::Transferred),
                Some(S::Transferred),
                None,
                None,
                Some(S::Closed),
                Some(S::Merged),
            ],
        ),
        (
            S::Answered,
            [
                None,
                Some(S::Answered),
                Some(S::Answered),
                None,
                None,
                Some(S::Answered),
                Some(S::Answered),
                None,
                Some(S::InProgress),
                Some(S::Closed),
                Some(S::Merged),
            ],
        ),
        (
            S::Closed,
            [
                None,
                None,
                Some(S::Closed),
                None,
                None,
                Some(S::Closed),
                None,
                None,
                Some(S::InProgress),
                None,
                None,
            ],
        ),
        (
            S::Merged,
            [
                None, None, None, None, None, None, None, None, None, None, None,
            ],
        ),
    ];
    for (state, row) in table {
        for (action, want) in ActionKind::ALL.into_iter().zip(row) {
            let got = next(state, action, Actor::Desk).ok();
            assert_eq!(got, want, "desk: {state:?} + {action:?}");
            if want.is_none() {
                assert_eq!(next(state, action, Actor::Desk), Err(Refusal::NotNow));
            }
        }
    }
}

#[test]
fn every_state_and_action_for_the_reporter() {
    for state in Status::ALL {
        for action in ActionKind::ALL {
            let got = next(state, action, Actor::Reporter);
            let want = match (action, state) {
                (A::Reopen, S::Answered) => Ok(S::InProgress),
                (A::Close, S::Answered) => Ok(S::Closed),
                (A::Reopen | A::Close, _) => Err(Refusal::NotNow),
                _ => Err(Refusal::NotYours),
            };
            assert_eq!(got, want, "reporter: {state:?} + {action:?}");
        }
    }
}

#[test]
fn every_state_and_action_for_a_group_member() {
    for state in Status::ALL {
        for action in ActionKind::ALL {
            let got = next(state, action, Actor::GroupMember);
            let want = match (action, state) {
                (A::Note, S::Transferred) => Ok(S::Transferred),
                (A::Return, S::Transferred) => Ok(S::InProgress),
                (A::Note | A::Return, _) => Err(Refusal::NotNow),
                _ => Err(Refusal::NotYours),
            };
            assert_eq!(got, want, "member: {state:?} + {action:?}");
        }
    }
}

#[test]
fn available_lists_what_next_allows() {
    assert_eq!(available(S::Merged, Actor::Desk), vec![]);
    assert_eq!(
        available(S::Answered, Actor::Reporter),
        vec![A::Reopen, A::Close]
    );
    assert_eq!(
        available(S::Transferred, Actor::GroupMember),
        vec![A::Return, A::Note]
    );
}

#[test]
fn action_names_round_trip() {
    for a in ActionKind::ALL {
        assert_eq!(ActionKind::parse(a.as_str()), Ok(a));
        assert_eq!(
            serde_json::to_value(a).unwrap(),
            serde_json::json!(a.as_str())
        );
    }
    assert_eq!(ActionKind::parse("delete"), Err(Reason::UnknownValue));
    assert_eq!(ActionKind::parse(" "), Err(Reason::Required));
}

fn request(json: serde_json::Value) -> ActionRequest {
    serde_json::from_value(json).unwrap()
}

#[test]
fn actions_parse_what_they_need() {
    let claim = Action::parse(&request(
        serde_json::json!({"action": "claim", "version": 3}),
    ));
    assert_eq!(claim, Ok(Action::Claim));
    let note = Action::parse(&request(
        serde_json::json!({"action": "note", "version": 1}),
    ));
    assert_eq!(
        note,
        Err(vec![FieldError {
            field: Field::Body,
            reason: Reason::Required
        }])
    );
    let transfer = Action::parse(&request(
        serde_json::json!({"action": "transfer", "group": "Ops!", "body": "查日志"}),
    ));
    assert_eq!(
        transfer,
        Err(vec![FieldError {
            field: Field::Group,
            reason: Reason::UnknownValue
        }])
    );
    let assign = Action::parse(&request(
        serde_json::json!({"action": "assign", "assignee": "Zhang.San"}),
    ));
    assert!(matches!(assign, Ok(Action::Assign { assignee }) if assignee.as_str() == "zhang.san"));
}

#[test]
fn categorize_takes_tags_as_a_list_or_a_line() {
    let listed = Action::parse(&request(
        serde_json::json!({"action": "categorize", "tags": ["行情", "港股"]}),
    ));
    let typed = Action::parse(&request(
        serde_json::json!({"action": "categorize", "tags": "行情，港股, 行情"}),
    ));
    assert_eq!(listed, typed);
    let Ok(Action::Categorize(triage)) = listed else {
        panic!("{listed:?}")
    };
    assert_eq!(triage.tags.map(|t| t.len()), Some(2));
    let nothing = Action::parse(&request(serde_json::json!({"action": "categorize"})));
    assert_eq!(
        nothing,
        Err(vec![FieldError {
            field: Field::Category,
            reason: Reason::Required
        }])
    );
    let bad = Action::parse(&request(
        serde_json::json!({"action": "categorize", "category": "bug", "priority": "P9"}),
    ));
    assert_eq!(
        bad,
        Err(vec![
            FieldError {
                field: Field::Category,
                reason: Reason::UnknownValue
            },
            FieldError {
                field: Field::Priority,
                reason: Reason::UnknownValue
            },
        ])
    );
}

#[test]
fn close_takes_an_optional_rating_of_one_to_five() {
    let rated = Action::parse(&request(
        serde_json::json!({"action": "close", "rating": "5", "body": "很快"}),
    ));
    assert!(
        matches!(rated, Ok(Action::Close { rating: Some(r), comment: Some(_) }) if r.stars() == 5)
    );
    assert_eq!(
        Action::parse(&request(serde_json::json!({"action": "close"}))),
        Ok(Action::Close {
            rating: None,
            comment: None
        })
    );
    for bad in ["0", "6", "x"] {
        let refused = Action::parse(&request(
            serde_json::json!({"action": "close", "rating": bad}),
        ));
        assert_eq!(
            refused,
            Err(vec![FieldError {
                field: Field::Rating,
                reason: Reason::UnknownValue
            }]),
            "{bad}"
        );
    }
}

#[test]
fn notes_transfers_and_returns_stay_internal() {
    let body = MessageBody::parse("x").unwrap();
    assert!(Action::Note { body: body.clone() }.is_internal());
    assert!(Action::Return {
        body: body.clone(),
        change: None
    }
    .is_internal());
    assert!(!Action::Reply { body: body.clone() }.is_internal());
    assert!(!Action::Answer { body }.is_internal());
}

#[test]
fn canned_replies_fill_their_variables() {
    let canned = CannedReply {
        id: 1,
        title: "t".into(),
        body: "{customer_name}您好，{number} 已修复；{number}".into(),
    };
    assert_eq!(
        canned.fill("张三", "MSS-20261122-0001"),
        "张三您好，MSS-20261122-0001 已修复；MSS-20261122-0001"
    );
    assert_eq!(canned.fill("", "N"), "您好，N 已修复；N");
}

#[test]
fn urgency_suggests_a_priority() {
    assert_eq!(Priority::suggested(Urgency::Urgent), Priority::P2);
    assert_eq!(Priority::suggested(Urgency::Normal), Priority::P3);
    assert_eq!(Priority::parse("p1"), Ok(Priority::P1));
    assert!(Priority::P1 < Priority::P4);
}

fn at(minutes: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_800_000_000, 0).unwrap() + TimeDelta::minutes(minutes)
}

#[test]
fn default_targets_follow_the_policy() {
    let minutes = |p| {
        let t = SlaTarget::default_for(p);
        (t.first_response_minutes, t.resolution_minutes)
    };
    assert_eq!(minutes(Priority::P1), (30, 240));
    assert_eq!(minutes(Priority::P2), (120, 1440));
    assert_eq!(minutes(Priority::P3), (240, 4320));
    assert_eq!(minutes(Priority::P4), (1440, 7200));
    let p1 = SlaTarget::default_for(Priority::P1);
    assert_eq!(p1.first_response_due(at(0)), at(30));
    assert_eq!(p1.resolution_due(at(0)), at(240));
}

#[test]
fn sla_state_at_the_boundaries() {
    // P1 first response: due at 30 min; due soon from 22.5 min on; late after 30.
    let due = at(30);
    assert_eq!(SlaState::at(at(0), due, 30), SlaState::OnTrack);
    assert_eq!(SlaState::at(at(22), due, 30), SlaState::OnTrack);
    assert_eq!(
        SlaState::at(at(22) + TimeDelta::seconds(30), due, 30),
        SlaState::DueSoon
    );
    assert_eq!(SlaState::at(due, due, 30), SlaState::DueSoon);
    assert_eq!(
        SlaState::at(due + TimeDelta::seconds(1), due, 30),
        SlaState::Late
    );
}

#[test]
fn on_time_includes_the_due_minute() {
    assert!(on_time(at(240), at(240)));
    assert!(on_time(at(239), at(240)));
    assert!(!on_time(at(240) + TimeDelta::seconds(1), at(240)));
}
