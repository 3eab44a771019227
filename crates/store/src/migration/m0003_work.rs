//! The entities the permission system governs: tasks, initiatives (with owners), meetings (with
//! participants) and their instances, feedback, feedback campaigns (with invitations to answer
//! and the answers), and saved reports.
//!
//! Deletes: references to people who have history (meetings, feedback, campaigns) are
//! RESTRICT, so the history cannot be orphaned; optional references (a task's assignee or
//! initiative, a meeting's team) are SET NULL; rows owned by a parent (owners, participants,
//! instances, invitations, answers) CASCADE with it.

use super::{fk, id_col, index, ref_col, ref_null, ts, ts_null};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(super) fn t(name: &str) -> Alias {
    Alias::new(name)
}

pub(super) fn text_col(name: &str) -> ColumnDef {
    ColumnDef::new(t(name)).text().not_null().take()
}

pub(super) fn text_null(name: &str) -> ColumnDef {
    ColumnDef::new(t(name)).text().null().take()
}

pub(super) fn str_col(name: &str) -> ColumnDef {
    ColumnDef::new(t(name)).string().not_null().take()
}

pub(super) fn int_col(name: &str) -> ColumnDef {
    ColumnDef::new(t(name)).integer().not_null().take()
}

pub(super) fn bool_col(name: &str) -> ColumnDef {
    ColumnDef::new(t(name)).boolean().not_null().take()
}

/// `(table, column, referenced table, on delete)`.
pub(super) fn fks(
    table: &str,
    refs: &[(&str, &str, ForeignKeyAction)],
) -> Vec<ForeignKeyCreateStatement> {
    refs.iter()
        .map(|(col, to, action)| fk(t(table), t(col), t(to), *action))
        .collect()
}

pub(super) async fn create(
    m: &SchemaManager<'_>,
    table: &str,
    cols: Vec<ColumnDef>,
    refs: &[(&str, &str, ForeignKeyAction)],
    primary_key: Option<&[&str]>,
) -> Result<(), DbErr> {
    let mut stmt = Table::create();
    stmt.table(t(table));
    for mut c in cols {
        stmt.col(&mut c);
    }
    for mut f in fks(table, refs) {
        stmt.foreign_key(&mut f);
    }
    if let Some(pk) = primary_key {
        let mut idx = Index::create();
        for c in pk {
            idx.col(t(c));
        }
        stmt.primary_key(&mut idx);
    }
    m.create_table(stmt).await
}

use ForeignKeyAction::{Cascade, Restrict, SetNull};

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        create(
            m,
            "initiatives",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                str_col("title"),
                text_null("summary"),
                str_col("status"),
                str_col("rag"),
                int_col("confidence"),
                ref_null(t("team_id")),
                ts_null(t("start_date")),
                ts_null(t("target_date")),
                ref_col(t("created_by_id")),
                ts(t("created_at")),
                ts(t("updated_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("team_id", "teams", Restrict),
                ("created_by_id", "users", Restrict),
            ],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_initiatives_org_created",
            t("initiatives"),
            ["organization_id", "created_at", "id"],
        ))
        .await?;
        m.create_index(index(
            "idx_initiatives_org_team",
            t("initiatives"),
            ["organization_id", "team_id"],
        ))
        .await?;

        create(
            m,
            "initiative_owners",
            vec![
                ref_col(t("initiative_id")),
                ref_col(t("person_id")),
                ref_col(t("organization_id")),
            ],
            &[
                ("initiative_id", "initiatives", Cascade),
                ("person_id", "persons", Cascade),
                ("organization_id", "organizations", Restrict),
            ],
            Some(&["initiative_id", "person_id"]),
        )
        .await?;
        m.create_index(index(
            "idx_initiative_owners_person",
            t("initiative_owners"),
            ["organization_id", "person_id"],
        ))
        .await?;

        create(
            m,
            "tasks",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                str_col("title"),
                text_null("description"),
                str_col("status"),
                int_col("priority"),
                ts_null(t("due_date")),
                ref_null(t("assignee_id")),
                ref_null(t("initiative_id")),
                ref_col(t("created_by_id")),
                ts_null(t("completed_at")),
                ts(t("created_at")),
                ts(t("updated_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("assignee_id", "persons", SetNull),
                ("initiative_id", "initiatives", SetNull),
                ("created_by_id", "users", Restrict),
            ],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_tasks_org_created",
            t("tasks"),
            ["organization_id", "created_at", "id"],
        ))
        .await?;
        m.create_index(index(
            "idx_tasks_org_assignee",
            t("tasks"),
            ["organization_id", "assignee_id", "status"],
        ))
        .await?;
        m.create_index(index(
            "idx_tasks_org_initiative",
            t("tasks"),
            ["organization_id", "initiative_id", "created_at"],
        ))
        .await?;

        create(
            m,
            "meetings",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                str_col("title"),
                text_null("description"),
                ts(t("scheduled_at")),
                int_col("duration_minutes"),
                ColumnDef::new(t("location")).string().null().take(),
                bool_col("is_private"),
                ref_null(t("owner_id")),
                ref_null(t("team_id")),
                ref_null(t("initiative_id")),
                ref_col(t("created_by_id")),
                ts(t("created_at")),
                ts(t("updated_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("owner_id", "persons", Restrict),
                ("team_id", "teams", SetNull),
                ("initiative_id", "initiatives", SetNull),
                ("created_by_id", "users", Restrict),
            ],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_meetings_org_scheduled",
            t("meetings"),
            ["organization_id", "scheduled_at", "id"],
        ))
        .await?;
        m.create_index(index(
            "idx_meetings_org_initiative",
            t("meetings"),
            ["organization_id", "initiative_id"],
        ))
        .await?;
        m.create_index(index(
            "idx_meetings_org_owner",
            t("meetings"),
            ["organization_id", "owner_id"],
        ))
        .await?;

        create(
            m,
            "meeting_participants",
            vec![
                ref_col(t("meeting_id")),
                ref_col(t("person_id")),
                ref_col(t("organization_id")),
            ],
            &[
                ("meeting_id", "meetings", Cascade),
                ("person_id", "persons", Restrict),
                ("organization_id", "organizations", Restrict),
            ],
            Some(&["meeting_id", "person_id"]),
        )
        .await?;
        m.create_index(index(
            "idx_meeting_participants_person",
            t("meeting_participants"),
            ["organization_id", "person_id"],
        ))
        .await?;

        create(
            m,
            "meeting_instances",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                ref_col(t("meeting_id")),
                ts(t("scheduled_at")),
                text_null("notes"),
                ts(t("created_at")),
                ts(t("updated_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("meeting_id", "meetings", Cascade),
            ],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_meeting_instances_meeting",
            t("meeting_instances"),
            ["organization_id", "meeting_id", "scheduled_at"],
        ))
        .await?;

        create(
            m,
            "meeting_instance_participants",
            vec![
                ref_col(t("instance_id")),
                ref_col(t("person_id")),
                ref_col(t("organization_id")),
            ],
            &[
                ("instance_id", "meeting_instances", Cascade),
                ("person_id", "persons", Restrict),
                ("organization_id", "organizations", Restrict),
            ],
            Some(&["instance_id", "person_id"]),
        )
        .await?;
        m.create_index(index(
            "idx_instance_participants_person",
            t("meeting_instance_participants"),
            ["organization_id", "person_id"],
        ))
        .await?;

        create(
            m,
            "feedback",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                ref_col(t("about_id")),
                ref_col(t("author_user_id")),
                ref_null(t("from_person_id")),
                str_col("kind"),
                bool_col("is_private"),
                text_col("body"),
                ts(t("created_at")),
                ts(t("updated_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("about_id", "persons", Restrict),
                ("author_user_id", "users", Restrict),
                ("from_person_id", "persons", Restrict),
            ],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_feedback_org_created",
            t("feedback"),
            ["organization_id", "created_at", "id"],
        ))
        .await?;
        m.create_index(index(
            "idx_feedback_org_about",
            t("feedback"),
            ["organization_id", "about_id", "created_at"],
        ))
        .await?;
        m.create_index(index(
            "idx_feedback_org_from",
            t("feedback"),
            ["organization_id", "from_person_id"],
        ))
        .await?;

        create(
            m,
            "feedback_campaigns",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                str_col("name"),
                ref_col(t("target_person_id")),
                ref_col(t("created_by_id")),
                ts(t("start_date")),
                ts(t("end_date")),
                str_col("status"),
                // A JSON array of question strings.
                text_col("questions"),
                ts(t("created_at")),
                ts(t("updated_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("target_person_id", "persons", Restrict),
                ("created_by_id", "users", Restrict),
            ],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_campaigns_org_created",
            t("feedback_campaigns"),
            ["organization_id", "created_at", "id"],
        ))
        .await?;
        m.create_index(index(
            "idx_campaigns_org_creator",
            t("feedback_campaigns"),
            ["organization_id", "created_by_id"],
        ))
        .await?;
        m.create_index(index(
            "idx_campaigns_org_target",
            t("feedback_campaigns"),
            ["organization_id", "target_person_id"],
        ))
        .await?;

        create(
            m,
            "campaign_invites",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                ref_col(t("campaign_id")),
                str_col("email"),
                // Set when the invitation to answer is mailed (on activation).
                ColumnDef::new(t("token_hash"))
                    .string()
                    .null()
                    .unique_key()
                    .take(),
                ts_null(t("sent_at")),
                ts_null(t("responded_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("campaign_id", "feedback_campaigns", Cascade),
            ],
            None,
        )
        .await?;
        m.create_index(
            index(
                "uq_campaign_invites_email",
                t("campaign_invites"),
                ["campaign_id", "email"],
            )
            .unique()
            .take(),
        )
        .await?;

        create(
            m,
            "campaign_responses",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                ref_col(t("campaign_id")),
                ColumnDef::new(t("invite_id"))
                    .string()
                    .not_null()
                    .unique_key()
                    .take(),
                // A JSON array of answer strings, one per question.
                text_col("answers"),
                ts(t("created_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("campaign_id", "feedback_campaigns", Cascade),
                ("invite_id", "campaign_invites", Cascade),
            ],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_campaign_responses_campaign",
            t("campaign_responses"),
            ["organization_id", "campaign_id", "created_at"],
        ))
        .await?;

        create(
            m,
            "reports",
            vec![
                id_col(t("id")),
                ref_col(t("organization_id")),
                str_col("name"),
                str_col("kind"),
                // A JSON object of the kind's parameters.
                text_col("parameters"),
                ref_col(t("created_by_id")),
                ts(t("created_at")),
                ts(t("updated_at")),
            ],
            &[
                ("organization_id", "organizations", Restrict),
                ("created_by_id", "users", Restrict),
            ],
            None,
        )
        .await?;
        m.create_index(index(
            "idx_reports_org_created",
            t("reports"),
            ["organization_id", "created_at", "id"],
        ))
        .await?;
        Ok(())
    }
}
