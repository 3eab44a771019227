//! Outgoing email: SMTP when a server is configured, otherwise one `.eml` file per message in
//! the outbox directory (handy in development, and what the tests read).

use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
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

/// A plain-text message.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
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

    pub async fn send(&self, mail: Mail) -> anyhow::Result<()> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid recipient: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)?;
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
