//! The series of a pair (docs/API.md §6.2): every one-on-one between the caller and one other
//! person, newest first and searchable, with the pair's optional cadence and the next date it
//! proposes. A series is the caller's own, as the one-on-ones list is: it is asked about with
//! the list's scope (`authz::oneonone_list_scope`), admins included, so an admin reaches
//! someone else's one-on-ones one by one, each look logged, never as a series.

use crate::input;
use crate::{
    error::{ApiError, FieldErrors},
    parse::Paging,
    parse::search_from,
    people,
    state::AppState,
};
use manageros_core::{
    Cadence, OrgId, PageInfo, PersonId, Timestamp,
    authz::{self, Actor},
};
use manageros_store::{
    ConnectionTrait, begin_write,
    repo::{
        conversation,
        oneonones::{self, ListQuery, OneOnOneWithPeople, SortField, SortKey},
        persons::{self, Person},
    },
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

pub const SAME_PERSON: &str = "A series is between you and someone else";

#[derive(Deserialize, IntoParams, Default)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// Case-insensitive substring of either person's name or of the shared notes.
    #[param(value_type = Option<input::Search>, inline)]
    pub search: Option<String>,
}

pub struct Series {
    pub other: Person,
    pub cadence: Option<Cadence>,
    /// The pair's last one-on-one up to now, and its next one.
    pub last: Option<Timestamp>,
    pub next: Option<Timestamp>,
    /// What the cadence proposes when nothing is scheduled.
    pub proposed: Option<Timestamp>,
    pub one_on_ones: Vec<OneOnOneWithPeople>,
    pub page: PageInfo,
}

/// The other person of the caller's series: of the organization, and not the caller.
async fn other(
    db: &impl ConnectionTrait,
    org: &OrgId,
    me: &PersonId,
    raw: &str,
) -> Result<Person, ApiError> {
    let id = PersonId::parse(raw.trim()).ok_or_else(|| ApiError::not_found(people::NOT_FOUND))?;
    if &id == me {
        return Err(ApiError::invalid("personId", SAME_PERSON));
    }
    persons::find(db, org, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(people::NOT_FOUND))
}

pub async fn series(
    state: &AppState,
    actor: &Actor,
    with: &str,
    q: SeriesQuery,
    paging: &Paging,
) -> Result<Series, ApiError> {
    let (org, me) = authz::oneonone_list_scope(actor)?;
    let mut errors = FieldErrors::default();
    let page = paging.parse(&mut errors);
    let search = search_from(q.search.as_deref(), &mut errors);
    errors.finish()?;
    let other = other(&state.db, &org, &me, with).await?;
    let lq = ListQuery {
        participant: me.clone(),
        with: Some(other.id.clone()),
        scheduled_from: None,
        scheduled_before: None,
        search,
        sort: vec![SortKey {
            field: SortField::ScheduledAt,
            descending: true,
        }],
        page,
    };
    let (list, total) = oneonones::list(&state.db, &org, &lq, None).await?;
    let now = state.now();
    let cadence = conversation::cadence(&state.db, &org, &me, &other.id).await?;
    let (last, next) = conversation::pair_times(&state.db, &org, &me, &other.id, now).await?;
    Ok(Series {
        proposed: cadence
            .and_then(|c| c.propose(last, now))
            .filter(|_| next.is_none()),
        other,
        cadence,
        last,
        next,
        one_on_ones: list,
        page: page.info(total),
    })
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase")]
pub struct CadenceRequest {
    /// `weekly`, `every-two-weeks`, `monthly`, or `null` for none.
    #[schema(value_type = input::Cadence, inline, required = false)]
    pub cadence: Option<String>,
}

/// Sets how often the caller and the other person mean to meet (either of the two may).
pub async fn set_cadence(
    state: &AppState,
    actor: &Actor,
    with: &str,
    input: CadenceRequest,
) -> Result<Option<Cadence>, ApiError> {
    let (org, me) = authz::oneonone_list_scope(actor)?;
    let mut errors = FieldErrors::default();
    let cadence = errors
        .take(
            "cadence",
            input
                .cadence
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(Cadence::parse)
                .transpose(),
        )
        .flatten();
    errors.finish()?;
    let txn = begin_write(&state.db).await?;
    let other = other(&txn, &org, &me, with).await?;
    conversation::set_cadence(&txn, &org, &me, &other.id, cadence, state.now()).await?;
    txn.commit().await?;
    Ok(cadence)
}
