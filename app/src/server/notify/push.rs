//! The push worker: turns timeline entries into WeCom deliveries and sends them.
//!
//! 1. Dispatch: entries not yet dispatched are locked (`FOR UPDATE SKIP LOCKED`), their
//!    deliveries made (one per key, so never twice) and the entries marked, in one transaction.
//! 2. Send: due deliveries are leased (the oldest pending per incident and channel only, so an
//!    incident's messages keep their order), sent, and recorded as sent, retried later with
//!    exponential backoff and jitter, or given up (dead) with the reason. The robot's rate limit
//!    and each member's (WeCom drops app messages beyond it) are kept by counting attempts
//!    within the window while holding the pick lock, so several instances together never
//!    exceed them.
//!
//! A worker that dies between sending and recording leaves its lease to run out; the delivery
//! is then sent again: at most one duplicate, in that window only.
use crate::domain::customer::{for_follower, mask_numbers};
use crate::domain::incident::EventKind;
use crate::domain::notify::robot_text;
use crate::domain::notify::{Channel, DeliveryState, SkipReason};
use crate::i18n::{td_string, Locale};
use crate::paths;
use crate::server::notify::deliveries::{self, NewDelivery, Undispatched};
use crate::server::notify::wecom::Failure;
use crate::server::AppState;
use crate::AppError;
use chrono::Utc;
use futures::StreamExt;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Serialises picks across instances (see the module's notes).
/// WeCom messages are written in the app's first language: a person's choice of language lives
/// only in their browser (a cookie), which a push never sees.
const LANGUAGE: Locale = Locale::zh_CN;
const PICK_LOCK: i64 = 5_350_002;
const DISPATCH_BATCH: i64 = 200;
const SEND_BATCH: i64 = 50;
/// Sends in flight at once from one worker.
const IN_FLIGHT: usize = 8;

/// Runs until the task is dropped. `wake` is notified when new entries are committed.
pub async fn run(state: AppState, wake: Arc<Notify>) {
    loop {
        let pause = match step(&state).await {
            Ok(Some(next)) => next,
            Ok(None) => Duration::ZERO,
            Err(e) => {
                tracing::warn!(error = ?e, "push worker step failed; trying again shortly");
                Duration::from_secs(2)
            }
        };
        if !pause.is_zero() {
            let _ = tokio::time::timeout(pause, wake.notified()).await;
        }
    }
}

/// One round: dispatch and send. `None`: there may be more to do at once; `Some(pause)`:
/// nothing is due before then (a new entry wakes the worker earlier).
async fn step(state: &AppState) -> Result<Option<Duration>, AppError> {
    let dispatched = dispatch(state).await?;
    let took = send_due(state).await?;
    if dispatched == DISPATCH_BATCH as usize || took > 0 {
        return Ok(None);
    }
    let idle = Duration::from_secs(5);
    let next = match deliveries::next_due(&state.pool).await? {
        Some(at) => (at - Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO)
            .min(idle),
        None => idle,
    };
    // Nothing was taken though something may be due: it waits for room in a rate window (the
    // robot's, a member's) or another instance holds it. Look again shortly, not in a busy loop;
    // a new entry wakes the worker at once anyway.
    Ok(Some(next.max(Duration::from_millis(200))))
}

/// Turns undispatched entries into deliveries. Returns how many entries it took.
pub async fn dispatch(state: &AppState) -> Result<usize, AppError> {
    let mut tx = state.pool.begin().await?;
    let events = deliveries::undispatched(&mut tx, DISPATCH_BATCH).await?;
    if events.is_empty() {
        return Ok(0);
    }
    let on_duty = deliveries::on_duty(&mut tx).await?;
    let wecom = &state.wecom;
    let planned: Vec<NewDelivery> = events
        .iter()
        .flat_map(|e| {
            plan(
                e,
                &on_duty,
                &state.settings.public_url,
                wecom.has_robot(),
                wecom.app().is_some(),
            )
        })
        .collect();
    let ids: Vec<i64> = events.iter().map(|e| e.id).collect();
    let give_up = Utc::now()
        + chrono::Duration::from_std(wecom.settings().give_up).unwrap_or(chrono::Duration::days(1));
    deliveries::record(&mut tx, &planned, &ids, give_up).await?;
    tx.commit().await?;
    Ok(events.len())
}

/// Leases what is due (the robot and each member only as far as their windows allow) and sends
/// it. Returns how many it took.
async fn send_due(state: &AppState) -> Result<usize, AppError> {
    let settings = state.wecom.settings();
    let lease_for = settings.timeout * 3 + Duration::from_secs(5);
    let mut tx = state.pool.begin().await?;
    sqlx::query!("SELECT pg_advisory_xact_lock($1)", PICK_LOCK)
        .execute(&mut *tx)
        .await?;
    // A little more than the window: WeCom counts when a message arrives, a moment after we
    // count it.
    let window = settings.robot_window + (settings.robot_window / 10).min(Duration::from_secs(2));
    let used = deliveries::robot_attempts_since(&mut tx, window).await?;
    let room = (i64::from(settings.robot_per_window) - used).clamp(0, SEND_BATCH);
    let per_member = i64::from(settings.member_per_window);
    let mut taken =
        deliveries::lease(&mut tx, Channel::Robot, room, lease_for, per_member, window).await?;
    taken.extend(
        deliveries::lease(
            &mut tx,
            Channel::App,
            SEND_BATCH,
            lease_for,
            per_member,
            window,
        )
        .await?,
    );
    tx.commit().await?;
    let took = taken.len();
    futures::stream::iter(taken)
        .for_each_concurrent(IN_FLIGHT, |d| async move {
            let outcome = match Channel::from_name(&d.channel) {
                Some(Channel::Robot) => state.wecom.send_robot(&d.message).await,
                Some(Channel::App) => state.wecom.send_app(&d.message).await,
                None => Err(Failure::Permanent(format!("unknown channel {}", d.channel))),
            };
            if let Err(e) = record(state, &d, outcome).await {
                // The lease runs out and the delivery is tried again.
                tracing::warn!(delivery = d.id, error = ?e, "could not record a delivery's outcome");
            }
        })
        .await;
    Ok(took)
}

async fn record(
    state: &AppState,
    d: &deliveries::Leased,
    outcome: Result<(), Failure>,
) -> Result<(), AppError> {
    match outcome {
        Ok(()) => deliveries::sent(&state.pool, d.id).await,
        Err(Failure::NotConfigured(why)) => {
            deliveries::give_up(&state.pool, d.id, DeliveryState::Skipped, why.as_str()).await
        }
        Err(Failure::Permanent(reason)) => {
            tracing::warn!(delivery = d.id, %reason, "WeCom refused a delivery for good");
            deliveries::give_up(&state.pool, d.id, DeliveryState::Dead, &reason).await
        }
        Err(Failure::Transient(reason)) => {
            let settings = state.wecom.settings();
            let at = Utc::now()
                + chrono::Duration::from_std(backoff(
                    settings.retry_base,
                    settings.retry_cap,
                    d.attempts,
                ))
                .unwrap_or_default();
            if at > d.give_up_at {
                let reason = format!("gave up after {} attempts: {reason}", d.attempts);
                tracing::warn!(delivery = d.id, %reason, "a delivery kept failing");
                deliveries::give_up(&state.pool, d.id, DeliveryState::Dead, &reason).await
            } else {
                deliveries::retry_at(&state.pool, d.id, at, &reason).await
            }
        }
    }
}

/// The wait before attempt `attempts + 1`: `base` doubled per attempt up to `cap`, then a random
/// point in its upper half, so many deliveries failing together do not all come back together.
pub fn backoff(base: Duration, cap: Duration, attempts: i32) -> Duration {
    use rand::Rng;
    let doublings = u32::try_from(attempts.saturating_sub(1))
        .unwrap_or(0)
        .min(20);
    let full = base.saturating_mul(1 << doublings).min(cap);
    let half = full / 2;
    half + half.mul_f64(rand::thread_rng().gen::<f64>())
}

/// The deliveries one timeline entry makes. Nobody is told of their own doing; the reporter
/// never hears of internal entries beyond what their thread shows (a transfer says only that
/// the incident moved on).
pub fn plan(
    e: &Undispatched,
    on_duty: &[String],
    public_url: &str,
    robot: bool,
    app: bool,
) -> Vec<NewDelivery> {
    let reporter_link = format!("{public_url}{}", paths::incident(&e.number));
    let desk_link = format!("{public_url}{}", paths::desk_incident(&e.number));
    let by_reporter = e.actor_id == Some(e.reporter_id);
    // Masked before it is cut: a number cut in half is no longer one the mask recognises.
    let masked = |text: &str| first_lines(&mask_numbers(text), 2, 100);
    let excerpt = |body: &Option<String>| body.as_deref().map(masked).unwrap_or_default();
    let mut out = Vec::new();
    let mut to_person = |recipient: Option<i64>,
                         wecom: &Option<String>,
                         title: String,
                         text: String,
                         link: &str| {
        let Some(recipient) = recipient.filter(|r| Some(*r) != e.actor_id) else {
            return;
        };
        let message = textcard(
            wecom.as_deref().unwrap_or_default(),
            &title,
            &text,
            link,
            e.created_at,
        );
        let skipped = if !app {
            Some(SkipReason::NoApp.as_str().to_owned())
        } else if wecom.is_none() {
            Some(SkipReason::NoWecomId.as_str().to_owned())
        } else {
            None
        };
        out.push(NewDelivery {
            key: format!("{}:app:{recipient}", e.id),
            event_id: e.id,
            incident_id: e.incident_id,
            channel: Channel::App,
            recipient_id: Some(recipient),
            wecom_user_id: wecom.clone(),
            message,
            skipped,
        });
    };
    let number = &e.number;
    let l = LANGUAGE;
    let actor = e
        .actor_name
        .clone()
        .unwrap_or_else(|| td_string!(l, wecom.system_actor).to_owned());
    match e.kind {
        EventKind::Reply | EventKind::Answered if !e.internal => {
            let what = if e.kind == EventKind::Reply {
                td_string!(l, wecom.reply)
            } else {
                td_string!(l, wecom.answer)
            };
            let title =
                |number: &str| td_string!(l, wecom.incident_title, number, what).to_string();
            let told = |body: &Option<String>| {
                if e.kind == EventKind::Reply {
                    excerpt(body)
                } else {
                    format!("{}\n{}", excerpt(body), td_string!(l, wecom.answer_confirm))
                }
            };
            to_person(
                Some(e.reporter_id),
                &e.reporter_wecom,
                title(number),
                told(&e.body),
                &reporter_link,
            );
            // The reporters of incidents merged into this one follow its answers, on their own page,
            // about their own customer, never the other incident's (a canned reply's name): retold
            // whole, then cut, so no part of the other's name survives the cut.
            for f in e.followers() {
                let link = format!("{public_url}{}", paths::incident(f.number));
                let from = (e.customer_name.as_deref(), e.customer_number.as_deref());
                let body = e
                    .body
                    .as_deref()
                    .map(|b| for_follower(b, from, (f.customer_name, f.customer_number)));
                let merged = td_string!(l, wecom.merged_into, number);
                to_person(
                    Some(f.reporter_id),
                    f.wecom,
                    title(f.number),
                    format!("{merged}\n{}", told(&body)),
                    &link,
                );
            }
        }
        EventKind::Transferred => {
            let group = e
                .group_name
                .clone()
                .unwrap_or_else(|| td_string!(l, wecom.some_team).to_owned());
            let title = td_string!(l, wecom.transferred, number, group).to_string();
            to_person(
                Some(e.reporter_id),
                &e.reporter_wecom,
                title,
                td_string!(l, wecom.transferred_text).to_owned(),
                &reporter_link,
            )
        }
        EventKind::Closed | EventKind::Merged => {
            let text = if e.kind == EventKind::Merged {
                td_string!(l, wecom.merged_text)
            } else {
                td_string!(l, wecom.closed_text)
            };
            to_person(
                Some(e.reporter_id),
                &e.reporter_wecom,
                td_string!(l, wecom.closed, number).to_string(),
                text.to_owned(),
                &reporter_link,
            )
        }
        EventKind::Message if by_reporter => to_person(
            e.assignee_id,
            &e.assignee_wecom,
            td_string!(l, wecom.message, actor, number).to_string(),
            excerpt(&e.body),
            &desk_link,
        ),
        EventKind::Reopened if by_reporter => to_person(
            e.assignee_id,
            &e.assignee_wecom,
            td_string!(l, wecom.reopened, number).to_string(),
            excerpt(&e.body),
            &desk_link,
        ),
        EventKind::Note => to_person(
            e.assignee_id,
            &e.assignee_wecom,
            td_string!(l, wecom.note, actor, number).to_string(),
            excerpt(&e.body),
            &desk_link,
        ),
        EventKind::Returned => to_person(
            e.assignee_id,
            &e.assignee_wecom,
            td_string!(l, wecom.returned, actor, number).to_string(),
            excerpt(&e.body),
            &desk_link,
        ),
        EventKind::SlaDueSoon => to_person(
            e.assignee_id,
            &e.assignee_wecom,
            td_string!(l, wecom.due_soon, number).to_string(),
            td_string!(l, wecom.due_soon_text).to_owned(),
            &desk_link,
        ),
        EventKind::SlaBreached => to_person(
            e.assignee_id,
            &e.assignee_wecom,
            td_string!(l, wecom.breached, number).to_string(),
            td_string!(l, wecom.breached_text).to_owned(),
            &desk_link,
        ),
        EventKind::Assigned => to_person(
            e.assignee_id,
            &e.assignee_wecom,
            td_string!(l, wecom.assigned, actor, number).to_string(),
            masked(&e.description),
            &desk_link,
        ),
        EventKind::Submitted => out.push(NewDelivery {
            key: format!("{}:robot:team", e.id),
            event_id: e.id,
            incident_id: e.incident_id,
            channel: Channel::Robot,
            recipient_id: None,
            wecom_user_id: None,
            message: new_incident_markdown(e, on_duty, &desk_link),
            skipped: (!robot).then(|| SkipReason::NoRobot.as_str().to_owned()),
        }),
        _ => {}
    }
    out
}

/// The robot's message for a new incident: what a handler needs to judge it at a glance, with
/// ID and phone numbers masked, and the on-duty handlers mentioned when it is P1 or urgent.
fn new_incident_markdown(e: &Undispatched, on_duty: &[String], link: &str) -> Value {
    let l = LANGUAGE;
    let urgent = e.urgency == "urgent";
    let urgency = if urgent {
        format!(
            "<font color=\"warning\">{}</font>",
            td_string!(l, wecom.urgent)
        )
    } else {
        td_string!(l, wecom.normal).to_owned()
    };
    // What reporters typed is shown as text: no link, mention or formatting of theirs works here.
    let customer_number = td_string!(l, wecom.customer_number);
    let customer = match (&e.customer_name, &e.customer_number) {
        (Some(n), Some(c)) => format!("{}（{customer_number} {}）", robot_text(n), robot_text(c)),
        (Some(n), None) => robot_text(n),
        (None, Some(c)) => format!("{customer_number} {}", robot_text(c)),
        (None, None) => td_string!(l, wecom.not_given).to_owned(),
    };
    // Masked before it is cut (a number cut in half is no longer one the mask recognises).
    let described: Vec<String> = e
        .description
        .lines()
        .map(|l| mask_numbers(&robot_text(l)))
        .collect();
    let quote: String = first_lines(&described.join("\n"), 3, 120)
        .lines()
        .map(|l| format!("> {l}\n"))
        .collect();
    let mut content = format!(
        "### {new} {number}\n{system_label}：**{system}**\n{category_label}：{category}\n{urgency_label}：{urgency} · {priority}\n{customer_label}：{customer}\n{quote}[{open}]({link})",
        new = td_string!(l, wecom.new_incident),
        number = e.number,
        system_label = td_string!(l, wecom.system),
        system = robot_text(&e.system_name),
        category_label = td_string!(l, wecom.category),
        category = robot_text(e.category_name.as_deref().unwrap_or(td_string!(l, wecom.uncategorized))),
        urgency_label = td_string!(l, wecom.urgency),
        priority = e.priority,
        customer_label = td_string!(l, wecom.customer),
        customer = mask_numbers(&customer),
        open = td_string!(l, wecom.open_desk),
    );
    if urgent || e.priority == "P1" {
        let mentions: Vec<String> = on_duty.iter().map(|id| format!("<@{id}>")).collect();
        if !mentions.is_empty() {
            content.push('\n');
            content.push_str(&mentions.join(" "));
        }
    }
    json!({ "msgtype": "markdown", "markdown": { "content": content } })
}

/// An application message as a text card: a title, a short body, a link that opens the incident.
fn textcard(to: &str, title: &str, text: &str, link: &str, at: chrono::DateTime<Utc>) -> Value {
    let when = crate::domain::time::format_minute(at);
    let body = text
        .lines()
        .map(|l| format!("<div class=\"normal\">{}</div>", escape(l)))
        .collect::<String>();
    json!({
        "touser": to,
        "msgtype": "textcard",
        "textcard": {
            "title": title,
            "description": format!("<div class=\"gray\">{when}</div>{body}"),
            "url": link,
            "btntxt": td_string!(LANGUAGE, wecom.open_card),
        },
        // WeCom drops the same message to the same person within half an hour: a second copy
        // after a crash between sending and recording is then not shown twice.
        "enable_duplicate_check": 1,
        "duplicate_check_interval": 1800,
    })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Up to `lines` non-empty lines, at most `max` characters in all (with … when cut).
fn first_lines(text: &str, lines: usize, max: usize) -> String {
    let kept: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(lines)
        .collect();
    let joined = kept.join("\n");
    let total = text.lines().filter(|l| !l.trim().is_empty()).count();
    if joined.chars().count() > max {
        format!("{}…", joined.chars().take(max).collect::<String>())
    } else if total > lines {
        format!("{joined}…")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str) -> Undispatched {
        Undispatched {
            id: 7,
            kind: EventKind::from_name(kind).expect("a timeline entry kind"),
            actor_id: Some(3),
            actor_name: Some("陈静".into()),
            internal: false,
            body: Some("请客户重新上传身份证 11010519491231002X，电话 13812345678".into()),
            detail: None,
            incident_id: 1,
            number: "20261123-0001".into(),
            priority: "P2".into(),
            urgency: "urgent".into(),
            description:
                "客户开户时人脸识别一直失败\n身份证 11010519491231002X\n手机 13812345678\n第四行"
                    .into(),
            customer_name: Some("张三".into()),
            customer_number: Some("310012345678".into()),
            reporter_id: 2,
            reporter_wecom: Some("wangxm".into()),
            assignee_id: Some(3),
            assignee_wecom: Some("chenj".into()),
            system_name: "开户系统".into(),
            category_name: None,
            group_name: Some("研发".into()),
            created_at: Utc::now(),
            follower_numbers: Vec::new(),
            follower_ids: Vec::new(),
            follower_wecom: Vec::new(),
            follower_customer_names: Vec::new(),
            follower_customer_numbers: Vec::new(),
        }
    }

    #[test]
    fn a_new_incident_goes_to_the_robot_masked_with_the_on_duty_mentioned() {
        let mut e = event("submitted");
        e.actor_id = Some(2);
        let planned = plan(&e, &["zhaol".into()], "https://mss.example.com", true, true);
        assert_eq!(planned.len(), 1);
        let content = planned[0].message["markdown"]["content"].as_str().unwrap();
        assert!(
            content.contains("20261123-0001")
                && content.contains("开户系统")
                && content.contains("紧急"),
            "{content}"
        );
        assert!(
            content.contains("110105********002X") && content.contains("138****5678"),
            "{content}"
        );
        assert!(
            !content.contains("13812345678") && !content.contains("第四行"),
            "{content}"
        );
        assert!(
            content.contains("(https://mss.example.com/desk/incidents/20261123-0001)")
                && content.contains("<@zhaol>"),
            "{content}"
        );
        assert_eq!(planned[0].key, "7:robot:team");
        // Not urgent and not P1: nobody is mentioned. No robot: recorded as skipped.
        e.urgency = "normal".into();
        let planned = plan(&e, &["zhaol".into()], "https://x", false, true);
        assert!(!planned[0].message["markdown"]["content"]
            .as_str()
            .unwrap()
            .contains("<@"));
        assert!(planned[0].skipped.is_some());
    }

    #[test]
    fn a_reporter_cannot_put_links_or_mentions_into_the_team_group() {
        let mut e = event("submitted");
        e.actor_id = Some(2);
        e.customer_name = Some("[点我领补偿](https://evil.example)".into());
        e.description = "交易失败 <@all> **紧急** <font color=\"warning\">假</font>\n[登录](http://evil.example/x)".into();
        let planned = plan(&e, &[], "https://mss.example.com", true, true);
        let content = planned[0].message["markdown"]["content"].as_str().unwrap();
        assert!(
            !content.contains("](https://evil") && !content.contains("](http://evil"),
            "{content}"
        );
        assert!(
            !content.contains("<@all>")
                && !content.contains("**紧急**")
                && !content.contains("<font color=\"warning\">假"),
            "{content}"
        );
        assert!(
            content.contains("点我领补偿") && content.contains("交易失败"),
            "the text itself stays readable: {content}"
        );
        // Our own link is still one.
        assert!(
            content
                .contains("[在工作台处理](https://mss.example.com/desk/incidents/20261123-0001)"),
            "{content}"
        );
    }

    #[test]
    fn replies_reach_the_reporter_and_their_messages_the_assignee() {
        let reply = plan(&event("reply"), &[], "https://x", true, true);
        assert_eq!(reply.len(), 1);
        assert_eq!(reply[0].message["touser"], "wangxm");
        assert_eq!(reply[0].recipient_id, Some(2));
        let card = &reply[0].message["textcard"];
        assert_eq!(card["url"], "https://x/incidents/20261123-0001");
        assert!(card["description"]
            .as_str()
            .unwrap()
            .contains("138****5678"));
        // The reporter's own message goes to the handler holding it, not back to the reporter.
        let mut message = event("message");
        message.actor_id = Some(2);
        let planned = plan(&message, &[], "https://x", true, true);
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].message["touser"], "chenj");
        // A handler's note to themselves tells nobody; an internal reply never reaches the reporter.
        assert!(plan(&event("note"), &[], "https://x", true, true).is_empty());
        let mut internal = event("reply");
        internal.internal = true;
        assert!(plan(&internal, &[], "https://x", true, true).is_empty());
        // No WeCom id, or no application: recorded, skipped, with the reason.
        let mut no_id = event("answered");
        no_id.reporter_wecom = None;
        assert_eq!(
            plan(&no_id, &[], "https://x", true, true)[0]
                .skipped
                .as_deref(),
            Some("no_wecom_id")
        );
        assert_eq!(
            plan(&event("answered"), &[], "https://x", true, false)[0]
                .skipped
                .as_deref(),
            Some("no_app")
        );
    }

    #[test]
    fn reporters_of_merged_incidents_follow_the_answers_on_their_own_page() {
        let mut answer = event("answered");
        answer.follower_numbers = vec!["20261123-0002".into(), "20261123-0003".into()];
        answer.follower_ids = vec![5, 3];
        answer.follower_wecom = vec![Some("liuy".into()), Some("chenj".into())];
        answer.follower_customer_names = vec![Some("李四".into()), None];
        answer.follower_customer_numbers = vec![Some("310099998888".into()), None];
        // A canned reply filled in with the survivor's customer.
        answer.body = Some("张三您好，客户号 310012345678 的开户已恢复".into());
        let planned = plan(&answer, &[], "https://x", true, true);
        // The reporter, and the follower 5; not follower 3, who gave the answer.
        let to: Vec<_> = planned
            .iter()
            .map(|d| {
                (
                    d.recipient_id,
                    d.message["touser"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        assert_eq!(to, [(Some(2), "wangxm"), (Some(5), "liuy")]);
        let card = &planned[1].message["textcard"];
        assert_eq!(card["url"], "https://x/incidents/20261123-0002");
        assert!(card["title"].as_str().unwrap().contains("20261123-0002"));
        let text = card["description"].as_str().unwrap();
        assert!(text.contains("它已并入事件 20261123-0001"), "{text}");
        assert!(
            text.contains("李四您好，客户号 310099998888 的开户已恢复"),
            "{text}"
        );
        assert!(
            !text.contains("张三") && !text.contains("310012345678"),
            "the other incident's customer: {text}"
        );
        assert_eq!(planned[1].key, "7:app:5");
        assert!(planned[0].message["textcard"]["description"]
            .as_str()
            .unwrap()
            .contains("张三您好"));
    }

    #[test]
    fn a_transfer_tells_the_reporter_where_not_what() {
        let mut e = event("transferred");
        e.internal = true;
        let planned = plan(&e, &[], "https://x", true, true);
        let card = &planned[0].message["textcard"];
        assert!(card["title"].as_str().unwrap().contains("研发"));
        assert!(
            !card["description"].as_str().unwrap().contains("身份证"),
            "the internal note stays inside"
        );
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter() {
        let (base, cap) = (Duration::from_secs(2), Duration::from_secs(300));
        for attempts in 1..30 {
            let full = (base * 2u32.pow((attempts - 1).min(20) as u32)).min(cap);
            let wait = backoff(base, cap, attempts);
            assert!(wait >= full / 2 && wait <= full, "{attempts}: {wait:?}");
        }
    }

    #[test]
    fn a_number_the_cut_falls_in_is_masked_all_the_same() {
        // The cut (100 characters of a card, 120 of the robot's quote) falls inside the ID number.
        let mut e = event("assigned");
        e.description = format!("{}身份证 11010519491231002X", "客".repeat(86));
        e.assignee_id = Some(9);
        e.assignee_wecom = Some("zhao".into());
        let card = plan(&e, &[], "https://x", true, true).remove(0).message;
        let text = card["textcard"]["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(!text.contains("1101051"), "{text}");
        let mut new = event("submitted");
        new.description = format!("{}身份证 11010519491231002X", "客".repeat(106));
        let robot = plan(&new, &[], "https://x", true, true).remove(0).message;
        let quote = robot["markdown"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert!(!quote.contains("1101051"), "{quote}");
    }
}
