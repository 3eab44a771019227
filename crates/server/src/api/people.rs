//! `/api/people`: the org chart's people (docs/API.md §5). Any member reads; admins write.

use crate::{
    api::schema::{
        PaginationView, PersonView, RefView, optional_email, optional_text, page_from, search_from,
    },
    error::{ApiError, ErrorBody, FieldErrors},
    extract::{AppJson, AppPath, AppQuery, CurrentUser},
    patch::{Patch, required},
    services::people::{self, MANAGER_NOT_FOUND, NOT_FOUND, PersonPatch, TEAM_NOT_FOUND},
    state::AppState,
    validate,
};
use axum::{extract::State, http::StatusCode};
use manageros_core::{
    Name, PersonId, PersonStatus, TeamId,
    authz::{self, OrgAction},
};
use manageros_store::repo::{
    persons::{self, PersonFields, PersonFilter},
    teams,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Case-insensitive substring of the name or email.
    pub search: Option<String>,
    pub team_id: Option<String>,
    pub manager_id: Option<String>,
    /// `active`, `inactive` or `on_leave`.
    pub status: Option<String>,
    pub page: Option<String>,
    pub limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PeopleResponse {
    pub people: Vec<PersonView>,
    pub pagination: PaginationView,
}

/// A typed id from a raw string, or the 404 the API gives for ids of the wrong shape.
fn id_or_404<T>(raw: &str, parse: fn(&str) -> Option<T>, msg: &str) -> Result<T, ApiError> {
    parse(raw.trim()).ok_or_else(|| ApiError::not_found(msg))
}

/// People of the caller's organization, by name.
#[utoipa::path(get, path = "/api/people", tag = "people",
    security(("bearer" = []), ("cookie" = [])),
    params(PeopleQuery),
    responses((status = 200, body = PeopleResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_people(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppQuery(q): AppQuery<PeopleQuery>,
) -> Result<AppJson<PeopleResponse>, ApiError> {
    let org = authz::authorize_org(&caller.actor(), OrgAction::ViewPeople)?;
    let mut errors = FieldErrors::default();
    let page = page_from(q.page.as_deref(), q.limit.as_deref(), &mut errors);
    let search = search_from(q.search.as_deref(), &mut errors);
    let status = errors
        .take(
            "status",
            q.status.as_deref().map(PersonStatus::parse).transpose(),
        )
        .flatten();
    errors.finish()?;
    // A filter on an id of the wrong shape matches nobody.
    let team_id = q.team_id.as_deref().map(TeamId::parse);
    let manager_id = q.manager_id.as_deref().map(PersonId::parse);
    let (people, total) = if matches!(team_id, Some(None)) || matches!(manager_id, Some(None)) {
        (vec![], 0)
    } else {
        let filter = PersonFilter {
            search,
            team_id: team_id.flatten(),
            manager_id: manager_id.flatten(),
            status,
        };
        persons::list(&state.db, &org, &filter, page).await?
    };
    Ok(AppJson(PeopleResponse {
        people: people.iter().map(PersonView::from).collect(),
        pagination: page.info(total).into(),
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
    responses((status = 200, body = PersonDetailResponse), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_person(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
) -> Result<AppJson<PersonDetailResponse>, ApiError> {
    let org = authz::authorize_org(&caller.actor(), OrgAction::ViewPeople)?;
    let id = id_or_404(&id, PersonId::parse, NOT_FOUND)?;
    let person = persons::find(&state.db, &org, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(NOT_FOUND))?;
    let team = match &person.team_id {
        Some(t) => teams::find(&state.db, &org, t)
            .await?
            .map(|t| RefView::new(&t.id, t.name)),
        None => None,
    };
    let manager = match &person.manager_id {
        Some(m) => persons::names(&state.db, &org, std::slice::from_ref(m))
            .await?
            .into_iter()
            .next()
            .map(|(id, name)| RefView::new(id, name)),
        None => None,
    };
    let reports = persons::reports(&state.db, &org, &id).await?;
    Ok(AppJson(PersonDetailResponse {
        person: PersonDetailView {
            person: PersonView::from(&person),
            team,
            manager,
            reports: reports
                .into_iter()
                .map(|(id, name)| RefView::new(id, name))
                .collect(),
        },
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatePersonRequest {
    pub name: Option<String>,
    pub email: Option<String>,
    /// Free-text job title, up to 100 characters.
    pub role: Option<String>,
    /// `active` (default), `inactive` or `on_leave`.
    pub status: Option<String>,
    pub team_id: Option<String>,
    pub manager_id: Option<String>,
}

fn optional_id<T>(
    raw: Option<&str>,
    parse: fn(&str) -> Option<T>,
    msg: &str,
) -> Result<Option<T>, ApiError> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => id_or_404(s, parse, msg).map(Some),
    }
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
    let org = authz::authorize_org(&caller.actor(), OrgAction::CreatePerson)?;
    validate! {
        name = "name": Name::parse(body.name.as_deref().unwrap_or_default()),
        email = "email": optional_email(body.email.as_deref()),
        role = "role": optional_text(body.role.as_deref(), "Role", 100),
        status = "status": body.status.as_deref().map_or(Ok(PersonStatus::Active), PersonStatus::parse),
    }
    let fields = PersonFields {
        name: name.into_string(),
        email,
        role,
        status,
        team_id: optional_id(body.team_id.as_deref(), TeamId::parse, TEAM_NOT_FOUND)?,
        manager_id: optional_id(
            body.manager_id.as_deref(),
            PersonId::parse,
            MANAGER_NOT_FOUND,
        )?,
    };
    let person = people::create(&state, &org, fields).await?;
    Ok((
        StatusCode::CREATED,
        AppJson(PersonResponse {
            person: PersonView::from(&person),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdatePersonRequest {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub name: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub email: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub role: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub status: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub team_id: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub manager_id: Patch<String>,
}

/// Change some of a person's fields (admins); `null` clears an optional one.
#[utoipa::path(patch, path = "/api/people/{id}", tag = "people",
    security(("bearer" = []), ("cookie" = [])),
    params(("id" = String, Path)),
    request_body = UpdatePersonRequest,
    responses((status = 200, body = PersonResponse), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_person(
    State(state): State<AppState>,
    caller: CurrentUser,
    AppPath(id): AppPath<String>,
    AppJson(body): AppJson<UpdatePersonRequest>,
) -> Result<AppJson<PersonResponse>, ApiError> {
    let org = authz::authorize_org(&caller.actor(), OrgAction::UpdatePerson)?;
    let id = id_or_404(&id, PersonId::parse, NOT_FOUND)?;
    validate! {
        name = "name": required(body.name, "Name", |n| Name::parse(&n)),
        email = "email": body.email.try_map(|e| optional_email(Some(&e))),
        role = "role": body.role.try_map(|r| optional_text(Some(&r), "Role", 100)),
        status = "status": required(body.status, "Status", |s| PersonStatus::parse(&s)),
    }
    let patch = PersonPatch {
        name: name.map(Name::into_string),
        email: email.flatten(),
        role: role.flatten(),
        status,
        team_id: body.team_id,
        manager_id: body.manager_id,
    };
    let person = people::update(&state, &org, &id, patch).await?;
    Ok(AppJson(PersonResponse {
        person: PersonView::from(&person),
    }))
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
    let org = authz::authorize_org(&caller.actor(), OrgAction::DeletePerson)?;
    let id = id_or_404(&id, PersonId::parse, NOT_FOUND)?;
    people::delete(&state, &org, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
