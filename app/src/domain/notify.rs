//! Pushes to WeCom as admins see them, and what a live page hears of a change.
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

named_enum! {
    /// Where a push goes: the team's group robot, or an application message to one person.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum Channel {
        Robot = "robot",
        App = "app",
    }
}

named_enum! {
    /// `pending` (waiting, or being retried), `sent`, `dead` (gave up: the reason says why) or
    /// `skipped` (not sent at all: WeCom is not configured, or the person has no WeCom id).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum DeliveryState {
        Pending = "pending",
        Sent = "sent",
        Dead = "dead",
        Skipped = "skipped",
    }
}

named_enum! {
    /// Why a delivery was not sent at all; stored as its reason (`as_str`), shown translated.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
    pub enum SkipReason {
        /// No group robot (`MSS_WECOM_ROBOT_URL`).
        NoRobot = "no_robot",
        /// No WeCom application (`MSS_WECOM_CORP_ID`, …).
        NoApp = "no_app",
        /// The person has no WeCom user id.
        NoWecomId = "no_wecom_id",
    }
}

/// One delivery on the admin page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub id: i64,
    pub number: String,
    pub channel: Channel,
    /// The person's name (or WeCom id); `None`: the team's robot.
    pub recipient: Option<String>,
    pub state: DeliveryState,
    pub attempts: i32,
    pub last_error: Option<String>,
    /// The message's title or first line.
    pub summary: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub next_attempt_at: DateTime<Utc>,
}

/// Text someone typed, as the group robot's markdown shows it: as text. The characters WeCom's
/// markdown reads (links `[…](…)`, mentions `<@…>`, `<font>`, emphasis, code, headings) become
/// their full-width look-alikes, so nothing a reporter writes links, mentions or formats
/// anything in the team's group; a line break becomes a space.
pub fn robot_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '[' => '［',
            ']' => '］',
            '(' => '（',
            ')' => '）',
            '<' => '＜',
            '>' => '＞',
            '*' => '＊',
            '_' => '＿',
            '`' => '｀',
            '#' => '＃',
            '~' => '～',
            '\n' | '\r' => ' ',
            other => other,
        })
        .collect()
}

/// The title of a text card, or the first line of a markdown message.
pub fn summary(message: &serde_json::Value) -> String {
    let text = message["textcard"]["title"]
        .as_str()
        .or_else(|| message["markdown"]["content"].as_str())
        .unwrap_or_default();
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default();
    line.trim_start_matches(['#', ' '])
        .replace("**", "")
        .chars()
        .take(80)
        .collect()
}

/// What a live page hears: something happened on an incident (`id` is the timeline entry, to
/// catch up from after a dropped connection), or someone read its thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveMessage {
    pub id: Option<i64>,
    pub incident: String,
    pub kind: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_text_reaches_the_robot_as_text() {
        assert_eq!(
            robot_text("[领奖](http://x) <@all> **急**"),
            "［领奖］（http://x） ＜@all＞ ＊＊急＊＊"
        );
        assert_eq!(robot_text("开户失败\n# 标题"), "开户失败 ＃ 标题");
        assert_eq!(robot_text("张三 310012345678"), "张三 310012345678");
    }

    #[test]
    fn summaries_are_one_plain_line() {
        let robot = serde_json::json!({ "msgtype": "markdown", "markdown": { "content": "### 新事件 **20261123-0001**\n> 系统：开户" } });
        assert_eq!(summary(&robot), "新事件 20261123-0001");
        let card = serde_json::json!({ "msgtype": "textcard", "textcard": { "title": "事件 20261123-0001 有新回复" } });
        assert_eq!(summary(&card), "事件 20261123-0001 有新回复");
        for s in DeliveryState::ALL {
            assert_eq!(DeliveryState::from_name(s.as_str()), Some(s));
        }
    }
}
