//! The entity an action is about, loaded by id inside the caller's organization, in the form
//! the authz module reasons about. Used by the permission check endpoint.

use crate::error::ApiError;
use manageros_core::{
    CampaignId, FeedbackId, InitiativeId, MeetingId, MeetingInstanceId, OneOnOneId, OrgId,
    ReportId, TaskId,
    authz::{Action, Kind, Target},
};
use manageros_store::{
    ConnectionTrait,
    repo::{campaigns, feedback, initiatives, meetings, oneonones, reports, tasks},
};

/// The kind of entity `id` names for `action`: the entity itself, or for
/// `meeting-instance.create` the meeting to add to. `None` for actions about no entity.
pub fn kind_of_id(action: Action) -> Option<Kind> {
    use Action::*;
    match action {
        MeetingInstanceCreate => Some(Kind::Meeting),
        TaskCreate
        | MeetingCreate
        | InitiativeCreate
        | ReportCreate
        | FeedbackCreate
        | OneOnOneCreate
        | FeedbackCampaignCreate
        | UserLinkPerson => None,
        other => Some(other.kind()),
    }
}

/// Loads the target of `kind` named `raw_id` in `org`; `None` if there is no such entity.
pub async fn load(
    db: &impl ConnectionTrait,
    org: &OrgId,
    kind: Kind,
    raw_id: &str,
) -> Result<Option<Target>, ApiError> {
    let raw = raw_id.trim();
    Ok(match kind {
        Kind::Task => match TaskId::parse(raw) {
            Some(id) => tasks::find(db, org, &id).await?.map(|t| t.target()),
            None => None,
        },
        Kind::Meeting => match MeetingId::parse(raw) {
            Some(id) => meetings::find(db, org, &id).await?.map(|m| m.target()),
            None => None,
        },
        Kind::MeetingInstance => match MeetingInstanceId::parse(raw) {
            Some(id) => match meetings::find_instance(db, org, &id).await? {
                Some(inst) => meetings::find(db, org, &inst.meeting_id)
                    .await?
                    .map(|m| inst.target(&m)),
                None => None,
            },
            None => None,
        },
        Kind::Initiative => match InitiativeId::parse(raw) {
            Some(id) => initiatives::find(db, org, &id).await?.map(|i| i.target()),
            None => None,
        },
        Kind::Report => match ReportId::parse(raw) {
            Some(id) => reports::find(db, org, &id).await?.map(|r| r.target()),
            None => None,
        },
        Kind::Feedback => match FeedbackId::parse(raw) {
            Some(id) => feedback::find(db, org, &id).await?.map(|f| f.target()),
            None => None,
        },
        Kind::OneOnOne => match OneOnOneId::parse(raw) {
            Some(id) => oneonones::find(db, org, &id)
                .await?
                .map(|o| o.one_on_one.target()),
            None => None,
        },
        Kind::FeedbackCampaign => match CampaignId::parse(raw) {
            Some(id) => campaigns::find(db, org, &id).await?.map(|c| c.target()),
            None => None,
        },
        Kind::User => None,
    })
}
