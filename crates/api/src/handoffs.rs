//! `/api/handoffs` (docs/API.md §6.4): when a person's manager changes, the old relationship's
//! open items, offered to the person and the new manager.

use crate::{
    conversation::{ActionItemView, TalkingPointView},
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppPath, CurrentUser},
    services::handoffs::{self, HandoffRequest, Offer},
    state::AppState,
};
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct HandoffPersonView {
    pub id: String,
    pub name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HandoffTargetView {
    /// The new pair's next one-on-one, where what is moved goes.
    pub one_on_one_id: String,
    #[schema(format = DateTime)]
    pub scheduled_at: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HandoffView {
    pub id: String,
    pub person: HandoffPersonView,
    pub old_manager: HandoffPersonView,
    pub new_manager: HandoffPersonView,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The old relationship's unchecked talking points.
    pub talking_points: Vec<TalkingPointView>,
    /// The old relationship's open action items.
    pub action_items: Vec<ActionItemView>,
    /// `null` until the new pair has a one-on-one scheduled.
    pub moves_to: Option<HandoffTargetView>,
}

impl From<&Offer> for HandoffView {
    fn from(o: &Offer) -> Self {
        let h = &o.handoff;
        let who = |id: &manageros_core::PersonId, name: &str| HandoffPersonView {
            id: id.to_string(),
            name: name.to_owned(),
        };
        Self {
            id: h.id.to_string(),
            person: who(&h.person_id, &o.person),
            old_manager: who(&h.old_manager_id, &o.old_manager),
            new_manager: who(&h.new_manager_id, &o.new_manager),
            created_at: h.created_at.to_rfc3339(),
            talking_points: o.points.iter().map(TalkingPointView::from).collect(),
            action_items: o.action_items.iter().map(ActionItemView::from).collect(),
            moves_to: o.target.as_ref().map(|(id, at)| HandoffTargetView {
                one_on_one_id: id.to_string(),
                scheduled_at: at.to_rfc3339(),
            }),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct HandoffsResponse {
    pub handoffs: Vec<HandoffView>,
}

/// The caller's undecided handoffs: as the person whose manager changed, or as the new manager.
#[utoipa::path(get, path = "/api/handoffs", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    responses((status = 200, body = HandoffsResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_handoffs(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<AppJson<HandoffsResponse>, ApiError> {
    let offers = handoffs::pending(&state, &caller.actor()).await?;
    Ok(AppJson(HandoffsResponse {
        handoffs: offers.iter().map(HandoffView::from).collect(),
    }))
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HandoffDecision {
    pub moved_talking_points: u64,
    pub moved_action_items: u64,
}

/// Decide a handoff: move exactly the chosen items into the new pair's next one-on-one (none:
/// move nothing). Either of the two people decides, once.
#[utoipa::path(post, path = "/api/handoffs/{id}", tag = "oneonones",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = HandoffRequest,
    responses((status = 200, body = HandoffDecision), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "Handoff not found"),
        (status = 409, body = ErrorBody, description = "This handoff was already decided")))]
pub async fn decide_handoff(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<HandoffRequest>,
) -> Result<AppJson<HandoffDecision>, ApiError> {
    let m = handoffs::decide(&state, &caller.actor(), &id, body).await?;
    Ok(AppJson(HandoffDecision {
        moved_talking_points: m.points,
        moved_action_items: m.action_items,
    }))
}
