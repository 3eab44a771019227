//! `/api/people`: the org chart's people (docs/API.md §5). Any member reads; admins write.

use crate::{
    error::{ApiError, ErrorBody},
    extract::{AppJson, AppPath, AppQuery, CurrentUser, IfMatch, Paging},
    schema::{PaginationView, PersonView, RefView},
    services::people::{self, CreatePersonRequest, PeopleQuery, UpdatePersonRequest},
    state::AppState,
    versioned::{IfMatchHeader, Stale, Versioned, answer},
};
use axum::{extract::State, http::StatusCode, response::Response};
use manageros_store::repo::persons::Person;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct PeopleResponse {
    pub people: Vec<PersonView>,
    pub pagination: PaginationView,
}

impl From<&Person> for PersonResponse {
    fn from(p: &Person) -> Self {
        Self {
            person: PersonView::from(p),
        }
    }
}

/// People of the caller's organization, by name.
#[utoipa::path(get, path = "/api/people", tag = "people",
    security(("bearer" = []), ("cookie" = [])),
    params(PeopleQuery, Paging),
    responses((status = 200, body = PeopleResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_people(
    State(state): State<AppState>,
    caller: CurrentUser,
    paging: Paging,
    AppQuery(q): AppQuery<PeopleQuery>,
) -> Result<AppJson<PeopleResponse>, ApiError> {
    let (people, page) = people::list(
        &state,
        &caller.actor(),
        Some(caller.names_version),
        q,
        &paging,
    )
    .await?;
    Ok(AppJson(PeopleResponse {
        people: people.iter().map(PersonView::from).collect(),
        pagination: page.into(),
    }))
}

/// A person with their team, manager and direct reports.
#[derive(Serialize, ToSchema)]
pub struct PersonDetailView {
    #[serde(flatten)]
    pub person: PersonView,
    pub team: Option<RefView>,
    pub manager: Option<RefView>,
    pub reports: Vec<RefView>,
}

#[derive(Serialize, ToSchema)]
pub struct PersonDetailResponse {
    pub person: PersonDetailView,
}

#[derive(Serialize, ToSchema)]
pub struct PersonResponse {
    pub person: PersonView,
}

#[utoipa::path(get, path = "/api/people/{id}", tag = "people",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = PersonDetailResponse, headers(("ETag" = String, description = "Its version, for If-Match on a change"))), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<Versioned<PersonDetailResponse>, ApiError> {
    let d = people::get(&state, &caller.actor(), &id).await?;
    Ok(Versioned(
        d.person.version,
        PersonDetailResponse {
            person: PersonDetailView {
                person: PersonView::from(&d.person),
                team: d.team.map(|(id, name)| RefView::new(id, name)),
                manager: d.manager.map(|(id, name)| RefView::new(id, name)),
                reports: d
                    .reports
                    .into_iter()
                    .map(|(id, name)| RefView::new(id, name))
                    .collect(),
            },
        },
    ))
}

/// Add a person to the org chart (admins).
#[utoipa::path(post, path = "/api/people", tag = "people",
    security(("bearer" = []), ("cookie" = [])),
    request_body = CreatePersonRequest,
    responses((status = 201, body = PersonResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn create_person(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppJson(body): AppJson<CreatePersonRequest>,
) -> Result<(StatusCode, AppJson<PersonResponse>), ApiError> {
    let person = people::create(&state, &caller.actor(), body).await?;
    Ok((StatusCode::CREATED, AppJson(PersonResponse::from(&person))))
}

/// Change some of a person's fields (admins); `null` clears an optional one.
#[utoipa::path(patch, path = "/api/people/{id}", tag = "people",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path), IfMatchHeader),
    request_body = UpdatePersonRequest,
    responses((status = 200, body = PersonResponse, headers(("ETag" = String, description = "Its new version"))), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 412, body = Stale<PersonResponse>, description = "Changed since the version named by If-Match; nothing was saved")))]
pub async fn update_person(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    if_match: IfMatch,
    AppJson(body): AppJson<UpdatePersonRequest>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let changed = people::update(&state, &actor, &id, body, &if_match).await;
    answer(
        changed,
        |p| Versioned(p.version, PersonResponse::from(p)),
        || async { Ok(people::get(&state, &actor, &id).await?.person) },
    )
    .await
}

/// Delete a person (admins). Refused while they have direct reports or history; mark them
/// `inactive` instead.
#[utoipa::path(delete, path = "/api/people/{id}", tag = "people",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn delete_person(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<StatusCode, ApiError> {
    people::delete(&state, &caller.actor(), &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
