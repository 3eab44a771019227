use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub organization_id: Option<String>,
    /// What the email is about (an invitation's id), for admins to see whether it went out.
    pub about_id: Option<String>,
    pub recipient: String,
    pub subject: String,
    pub body: String,
    pub html: String,
    pub created_at: i64,
    /// `pending`, `sent` or `failed` (`repo::outbox::Status`).
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: i64,
    pub claimed_by: Option<String>,
    pub claimed_until: Option<i64>,
    pub sent_at: Option<i64>,
    pub last_error: Option<String>,
    /// The one-click unsubscribe link (RFC 8058) of a notification, for its headers.
    pub unsubscribe_url: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
