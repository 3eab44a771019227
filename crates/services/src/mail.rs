//! Outgoing email: SMTP when a server is configured, otherwise one `.eml` file per message in
//! the outbox directory (handy in development, and what the tests read).
//!
//! Every message has a plain-text part and an HTML part rendered from
//! `templates/mail/*.html` (askama, escaped). Text that users wrote (names of people and
//! organizations) is quoted as such in both, and is always a single line (the services
//! refuse line breaks in names), so it cannot pass for ManagerOS's own words.

use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart},
};
use std::path::{Path, PathBuf};

pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Outbox(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// A message: its text, and the same as HTML.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    pub html: String,
    /// A notification's one-click unsubscribe link: sent as `List-Unsubscribe` with
    /// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058).
    pub unsubscribe: Option<String>,
}

impl Mail {
    /// A message whose HTML part is `html` rendered.
    pub fn new(
        to: String,
        subject: String,
        body: String,
        html: &impl askama::Template,
    ) -> anyhow::Result<Self> {
        Ok(Self {
            to,
            subject,
            body,
            html: html.render()?,
            unsubscribe: None,
        })
    }
}

/// The HTML parts, one template each.
pub mod html {
    use askama::Template;

    #[derive(Template)]
    #[template(path = "mail/invitation.html")]
    pub struct Invitation<'a> {
        pub inviter: &'a str,
        pub inviter_email: &'a str,
        pub org: &'a str,
        pub email: &'a str,
        pub link: &'a str,
        pub expires: String,
    }

    #[derive(Template)]
    #[template(path = "mail/verify.html")]
    pub struct Verify<'a> {
        pub name: &'a str,
        pub email: &'a str,
        pub link: &'a str,
    }

    #[derive(Template)]
    #[template(path = "mail/reset.html")]
    pub struct Reset<'a> {
        pub name: &'a str,
        pub link: &'a str,
    }

    #[derive(Template)]
    #[template(path = "mail/feedback_request.html")]
    pub struct FeedbackRequest<'a> {
        pub about: &'a str,
        pub name: &'a str,
        pub end: String,
        pub link: &'a str,
    }

    #[derive(Template)]
    #[template(path = "mail/oneonone_removed.html")]
    pub struct OneOnOneRemoved<'a> {
        pub name: &'a str,
        pub by: &'a str,
        pub manager: &'a str,
        pub report: &'a str,
        pub at: String,
    }

    #[derive(Template)]
    #[template(path = "mail/handoff_waiting.html")]
    pub struct HandoffWaiting<'a> {
        pub name: &'a str,
        pub person: &'a str,
        pub old_manager: &'a str,
        pub new_manager: &'a str,
        pub items: usize,
        pub link: &'a str,
        pub unsubscribe: &'a str,
        pub stop: &'a str,
    }

    #[derive(Template)]
    #[template(path = "mail/reminder.html")]
    pub struct Reminder<'a> {
        pub name: &'a str,
        pub other: &'a str,
        pub when: &'a str,
        pub minutes: i64,
        pub points: Vec<String>,
        pub link: &'a str,
        pub unsubscribe: &'a str,
        pub stop: &'a str,
    }

    #[derive(Template)]
    #[template(path = "mail/assigned.html")]
    pub struct Assigned<'a> {
        pub name: &'a str,
        pub by: &'a str,
        pub title: &'a str,
        pub action_item: bool,
        pub due: Option<String>,
        pub link: &'a str,
        pub unsubscribe: &'a str,
        pub stop: &'a str,
    }

    #[derive(Template)]
    #[template(path = "mail/meeting_added.html")]
    pub struct MeetingAdded<'a> {
        pub name: &'a str,
        pub by: &'a str,
        pub title: &'a str,
        pub when: &'a str,
        pub link: &'a str,
        pub unsubscribe: &'a str,
        pub stop: &'a str,
    }

    #[derive(Template)]
    #[template(path = "mail/campaign_ready.html")]
    pub struct CampaignReady<'a> {
        pub name: &'a str,
        pub campaign: &'a str,
        pub count: u64,
        pub link: &'a str,
        pub unsubscribe: &'a str,
        pub stop: &'a str,
    }

    #[derive(Template)]
    #[template(path = "mail/digest.html")]
    pub struct Digest<'a> {
        pub name: &'a str,
        pub oneonones: Vec<String>,
        pub action_items: Vec<String>,
        pub overdue: Vec<String>,
        pub link: &'a str,
        pub unsubscribe: &'a str,
        pub stop: &'a str,
    }

    #[derive(Template)]
    #[template(path = "mail/oneonones_cancelled.html")]
    pub struct OneOnOnesCancelled<'a> {
        pub name: &'a str,
        pub by: &'a str,
        pub person: &'a str,
        pub old_manager: &'a str,
        pub new_manager: Option<&'a str>,
        pub cancelled: u64,
        pub ended_series: bool,
        pub link: &'a str,
    }

    #[derive(Template)]
    #[template(path = "mail/oneonone_deleted.html")]
    pub struct OneOnOneDeleted<'a> {
        pub name: &'a str,
        pub admin: &'a str,
        pub manager: &'a str,
        pub report: &'a str,
        pub at: String,
    }
}

impl Mailer {
    /// SMTP via `smtp_url` (e.g. `smtps://user:pass@smtp.example.com` or
    /// `smtp://localhost:25`), or else files in `outbox`, which is created if missing.
    pub async fn new(smtp_url: Option<&str>, outbox: &Path, from: &str) -> anyhow::Result<Self> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid sender address {from:?}: {e}"))?;
        let transport = match smtp_url {
            Some(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("invalid SMTP URL: {e}"))?
                    .build(),
            ),
            None => {
                tokio::fs::create_dir_all(outbox).await.map_err(|e| {
                    anyhow::anyhow!("cannot create the outbox {}: {e}", outbox.display())
                })?;
                Transport::Outbox(AsyncFileTransport::new(outbox), outbox.to_owned())
            }
        };
        Ok(Self { from, transport })
    }

    /// Where mail goes, for the start-up log.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "SMTP".to_owned(),
            Transport::Outbox(_, dir) => format!("outbox directory {}", dir.display()),
        }
    }

    /// Sends one message now. Services do not call this: they queue mail (`crate::outbox`),
    /// whose worker calls it with the outbox row's id as the `Message-ID`.
    pub async fn send(&self, mail: Mail, id: Option<&str>) -> anyhow::Result<()> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid recipient: {e}"))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .message_id(id.map(|id| format!("<{id}@{}>", self.from.email.domain())))
            .to(to)
            .subject(mail.subject);
        if let Some(url) = &mail.unsubscribe {
            use lettre::message::header::{HeaderName, HeaderValue};
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{url}>"),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_owned(),
                ));
        }
        let message = builder.multipart(MultiPart::alternative_plain_html(mail.body, mail.html))?;
        match &self.transport {
            Transport::Smtp(t) => {
                t.send(message).await?;
            }
            Transport::Outbox(t, _) => {
                t.send(message).await?;
            }
        }
        Ok(())
    }
}
