//! No lost update: every editable row carries a version (`repo::versions`). A write may name
//! the version it was made against (`If-Match`, or a page's hidden `version` field); when the
//! row has moved on since, the write is refused as [`ApiError::Stale`] (412) and changes
//! nothing. A write that names none works as it always did.
//!
//! Each service's write calls [`claim`] right after its permission check (whoever may not see
//! the row learns nothing of its versions) and before validating the input, in the
//! transaction that makes the change, so a refused change rolls back with it.

use crate::{error::ApiError, extract::IfMatch};
use manageros_core::{OrgId, authz::Actor};
use manageros_store::repo::versions;
pub use manageros_store::repo::versions::Versioned;
use manageros_store::sea_orm::ConnectionTrait;

/// What a stale writer is told (the front ends show the row as it is now beside it).
pub fn stale_message(what: Versioned) -> &'static str {
    match what {
        Versioned::OneOnOne => {
            "This one-on-one was changed since you read it; nothing was saved. Here is how it is now."
        }
        Versioned::TalkingPoint => {
            "This talking point was changed since you read it; nothing was saved. Here is how it is now."
        }
        Versioned::PrivateNote => {
            "Your private notes were changed elsewhere since you read them; nothing was saved. Here is how they are now."
        }
        Versioned::Task => {
            "This task was changed since you read it; nothing was saved. Here is how it is now."
        }
        Versioned::Initiative => {
            "This initiative was changed since you read it; nothing was saved. Here is how it is now."
        }
        Versioned::Meeting => {
            "This meeting was changed since you read it; nothing was saved. Here is how it is now."
        }
        Versioned::MeetingInstance => {
            "This occurrence was changed since you read it; nothing was saved. Here is how it is now."
        }
        Versioned::Person => {
            "This person was changed since you read them; nothing was saved. Here is how they are now."
        }
        Versioned::Team => {
            "This team was changed since you read it; nothing was saved. Here is how it is now."
        }
        Versioned::Feedback => {
            "This feedback was changed since you read it; nothing was saved. Here is how it is now."
        }
        Versioned::Campaign => {
            "This campaign was changed since you read it; nothing was saved. Here is how it is now."
        }
        Versioned::Report => {
            "This report was changed since you read it; nothing was saved. Here is how it is now."
        }
    }
}

/// Makes the caller's change the row's next version, when `if_match` allows the version it is
/// at; otherwise [`ApiError::Stale`], naming who made the change the caller did not know about.
pub async fn claim(
    db: &impl ConnectionTrait,
    what: Versioned,
    org: &OrgId,
    id: &str,
    actor: &Actor,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    if versions::claim(db, what, org, id, &actor.user_id, if_match.tags()).await? {
        return Ok(());
    }
    let by = versions::changed_by(db, what, org, id).await?;
    Err(ApiError::Stale(stale_message(what), by))
}

/// Records a change that names no version (a check-off, a status moved from elsewhere) so
/// that a writer still holding the version before it is told.
pub async fn touch(
    db: &impl ConnectionTrait,
    what: Versioned,
    org: &OrgId,
    id: &str,
    actor: &Actor,
) -> Result<(), ApiError> {
    versions::claim(db, what, org, id, &actor.user_id, None).await?;
    Ok(())
}
