//! Every one-on-one of the organization (admins, issue 28): who and when, filtered by person
//! and dates, latest first. The same service as `GET /api/organization/oneonones`; opening
//! one leads to its page, which writes the admin's visit to its access log as before.

use super::{Ctx, FormState, Layout, PageError, Pager, filled, names, oneonones::When};
use crate::{
    error::ApiError,
    services::oneonones::{self, OrganizationOneOnOnesQuery},
    services::parse::Paging,
    state::AppState,
};
use askama::Template;
use axum::{
    extract::{Query, State},
    response::Response,
};
use manageros_core::Page;
use serde::Deserialize;

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Params {
    #[serde(default)]
    person_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    page: Option<String>,
}

pub struct Row {
    pub id: String,
    pub manager: String,
    pub report: String,
    pub when: When,
}

#[derive(Template)]
#[template(path = "organization/oneonones.html")]
struct ListPage {
    layout: Layout,
    people: Vec<(String, String, bool)>,
    from: String,
    to: String,
    rows: Vec<Row>,
    total: u64,
    pager: Pager,
    form: FormState,
}

/// `/organization/oneonones`.
pub async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(p): Query<Params>,
) -> Result<Response, PageError> {
    let actor = ctx.member()?.actor();
    let query = OrganizationOneOnOnesQuery {
        person_id: filled(&p.person_id),
        scheduled_from: filled(&p.from),
        scheduled_to: filled(&p.to),
    };
    let paging = Paging {
        page: p.page.clone(),
        limit: None,
    };
    let (list, info, form) = match oneonones::of_organization(&state, &actor, query, &paging).await
    {
        Ok((list, info)) => (list, info, FormState::default()),
        // A bad filter is shown next to it, with an empty list.
        Err(e @ ApiError::Validation(_)) => {
            (vec![], Page::default().info(0), FormState::from_error(e)?)
        }
        Err(e) => return Err(e.into()),
    };
    let names = names(&state, &ctx).await?;
    let url = |page: u64| {
        let mut q = vec![];
        for (k, v) in [("personId", &p.person_id), ("from", &p.from), ("to", &p.to)] {
            if !v.trim().is_empty() {
                q.push((k, v.trim().to_owned()));
            }
        }
        q.push(("page", page.to_string()));
        format!(
            "/organization/oneonones?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    };
    Ok(ctx.render_status(
        form.status(),
        &ListPage {
            layout: ctx.layout("All one-on-ones"),
            people: names
                .people
                .iter()
                .map(|n| (n.id.clone(), n.name.clone(), n.id == p.person_id.trim()))
                .collect(),
            from: p.from.trim().to_owned(),
            to: p.to.trim().to_owned(),
            rows: list
                .into_iter()
                .map(|o| Row {
                    id: o.id.to_string(),
                    manager: o.manager_name,
                    report: o.report_name,
                    when: When::of(o.scheduled_at),
                })
                .collect(),
            total: info.total_count,
            pager: Pager::new(&info, url),
            form,
        },
    ))
}
