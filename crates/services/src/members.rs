//! Members of an organization: roles, removal, and the links between users and people.
//!
//! The last-admin rule holds under concurrency: role changes and removals take the
//! organization's lock first, then re-read the caller (who may have been demoted a moment
//! ago), and count the admins inside the same transaction.

use crate::{audit, error::ApiError, state::AppState};

/// Whom a refused member can ask: the names of their organization's admins (at most five;
/// none for someone outside an organization). Any member may know who the admins are.
pub async fn admins_to_ask(state: &AppState, caller: &User) -> Result<Vec<String>, ApiError> {
    let Some(org) = &caller.organization_id else {
        return Ok(vec![]);
    };
    Ok(users::admin_names(&state.db, org, 5).await?)
}
use manageros_core::{
    OrgId, PersonId, Role, UserId,
    authz::{self, OrgAction},
};
use manageros_store::{
    DatabaseTransaction, begin_write, is_unique_violation,
    repo::{
        orgs,
        persons::{self, Person},
        users::{self, Member, User},
    },
};

pub const USER_NOT_FOUND: &str = "User not found or access denied";
pub const PERSON_NOT_FOUND: &str = "Person not found or access denied";
pub const PERSON_LINKED: &str = "Person is already linked to a user";
pub const LAST_ADMIN: &str = "Cannot remove the last admin from the organization";
pub const SELF_NOT_FOUND: &str = authz::SELF_LINK_NOT_FOUND;

/// Locks the caller's organization and authorizes `action` on the caller as they are now,
/// re-read inside the lock (an admin demoted a moment ago is refused): the one permission
/// check of a role change or removal.
async fn lock_and_authorize(
    txn: &DatabaseTransaction,
    caller: &User,
    action: OrgAction,
) -> Result<(OrgId, User), ApiError> {
    if let Some(org) = &caller.organization_id {
        orgs::lock(txn, org).await?;
    }
    let fresh = users::find(txn, &caller.id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let org = authz::authorize_org(&fresh.actor(), action)?;
    if caller.organization_id.as_ref() != Some(&org) {
        // Moved to another organization mid-request: the target is no longer theirs.
        return Err(ApiError::not_found(USER_NOT_FOUND));
    }
    Ok((org, fresh))
}

/// The organization's members, by name (admins).
pub async fn list(state: &AppState, caller: &User) -> Result<Vec<Member>, ApiError> {
    let org = authz::authorize_org(&caller.actor(), OrgAction::ViewMembers)?;
    Ok(users::list_members(&state.db, &org).await?)
}

/// Members not linked to any person (admins).
pub async fn linkable_users(state: &AppState, caller: &User) -> Result<Vec<User>, ApiError> {
    let org = authz::authorize_org(&caller.actor(), OrgAction::ViewLinkableUsers)?;
    Ok(users::linkable(&state.db, &org).await?)
}

/// People the caller may link themselves to: unlinked, and recorded with the caller's own
/// email address (getAvailablePersonsForSelfLinking).
pub async fn linkable_persons(state: &AppState, caller: &User) -> Result<Vec<Person>, ApiError> {
    let org = authz::authorize_org(&caller.actor(), OrgAction::LinkSelf)?;
    Ok(persons::linkable_for_email(&state.db, &org, &caller.email).await?)
}

async fn member(txn: &DatabaseTransaction, org: &OrgId, raw_id: &str) -> Result<Member, ApiError> {
    let Some(id) = UserId::parse(raw_id) else {
        return Err(ApiError::not_found(USER_NOT_FOUND));
    };
    users::find_member(txn, org, &id)
        .await?
        .ok_or_else(|| ApiError::not_found(USER_NOT_FOUND))
}

async fn reread(txn: &DatabaseTransaction, org: &OrgId, id: &UserId) -> Result<Member, ApiError> {
    users::find_member(txn, org, id).await?.ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!(
            "member {id} vanished inside its transaction"
        ))
    })
}

/// Changes a member's role (admins). An organization always keeps at least one admin.
pub async fn change_role(
    state: &AppState,
    caller: &User,
    raw_id: &str,
    role: Option<&str>,
) -> Result<Member, ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, _) = &lock_and_authorize(&txn, caller, OrgAction::ChangeRole).await?;
    let role = Role::parse(role.unwrap_or_default()).map_err(|e| ApiError::invalid("role", e.0))?;
    let target = member(&txn, org, raw_id).await?;
    if target.user.id == caller.id {
        return Err(ApiError::conflict("You cannot change your own role"));
    }
    if target.user.role == Role::Admin
        && role != Role::Admin
        && users::count_admins(&txn, org).await? <= 1
    {
        return Err(ApiError::conflict(LAST_ADMIN));
    }
    users::set_role(&txn, org, &target.user.id, role, state.now()).await?;
    if target.user.role != role {
        audit::record(
            &txn,
            audit::Event::new(org, audit::Kind::RoleChanged, state.now())
                .by(&caller.id)
                .subject(&target.user.id)
                .detail(format!(
                    "Role changed from {} to {}",
                    target.user.role.as_str(),
                    role.as_str()
                )),
        )
        .await?;
    }
    let updated = reread(&txn, org, &target.user.id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Takes a member out of the organization: unlinked from their person, role reset to USER.
pub async fn remove(state: &AppState, caller: &User, raw_id: &str) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let (org, _) = &lock_and_authorize(&txn, caller, OrgAction::RemoveMember).await?;
    let target = member(&txn, org, raw_id).await?;
    if target.user.id == caller.id {
        return Err(ApiError::conflict(
            "You cannot remove yourself from the organization",
        ));
    }
    if target.user.role == Role::Admin && users::count_admins(&txn, org).await? <= 1 {
        return Err(ApiError::conflict(LAST_ADMIN));
    }
    users::remove_from_org(&txn, org, &target.user.id, &caller.id, state.now()).await?;
    audit::record(
        &txn,
        audit::Event::new(org, audit::Kind::MemberRemoved, state.now())
            .by(&caller.id)
            .subject(&target.user.id)
            .detail(format!(
                "Removed from the organization ({})",
                target.user.role.as_str()
            )),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The last admin's refusal to leave: someone must still run the organization.
pub const LAST_ADMIN_LEAVES: &str =
    "You are the organization's last admin: make another member an admin before leaving";

/// The caller leaves their organization (any member but its last admin): unlinked from their
/// person, role reset to USER, exactly as if an admin had removed them. Their organization's
/// data stays with it; they may then create or join another.
pub async fn leave(state: &AppState, caller: &User) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    // The role as it is under the organization's lock, not as the request began: an admin
    // promoted a moment ago counts, so the last two admins cannot both leave at once.
    let (org, me) = &lock_and_authorize(&txn, caller, OrgAction::Leave).await?;
    if me.role == Role::Admin && users::count_admins(&txn, org).await? <= 1 {
        return Err(ApiError::conflict(LAST_ADMIN_LEAVES));
    }
    users::remove_from_org(&txn, org, &caller.id, &caller.id, state.now()).await?;
    audit::record(
        &txn,
        audit::Event::new(org, audit::Kind::MemberLeft, state.now())
            .by(&caller.id)
            .subject(&caller.id)
            .detail(format!("Left the organization ({})", me.role.as_str())),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A person of the organization, by a raw id (a malformed id is simply not found).
async fn person(
    txn: &DatabaseTransaction,
    org: &OrgId,
    raw_id: &str,
    not_found: &'static str,
) -> Result<Person, ApiError> {
    match PersonId::parse(raw_id) {
        Some(id) => persons::find(txn, org, &id).await?,
        None => None,
    }
    .ok_or_else(|| ApiError::not_found(not_found))
}

/// An admin links a member to a person.
pub async fn link(
    state: &AppState,
    caller: &User,
    raw_user: &str,
    raw_person: Option<&str>,
) -> Result<Member, ApiError> {
    let org = &authz::authorize_org(&caller.actor(), OrgAction::LinkUser)?;
    let raw_person = raw_person.unwrap_or_default().trim();
    if raw_person.is_empty() {
        return Err(ApiError::invalid("personId", "Person is required"));
    }
    let txn = begin_write(&state.db).await?;
    let target = member(&txn, org, raw_user).await?;
    let person = person(&txn, org, raw_person, PERSON_NOT_FOUND).await?;
    match (&person.user_id, &target.person) {
        // Already exactly so: nothing to do.
        (Some(linked), _) if linked == &target.user.id => return Ok(target),
        (Some(_), _) => return Err(ApiError::conflict(PERSON_LINKED)),
        (None, Some(_)) => {
            return Err(ApiError::conflict(
                "User is already linked to a person. Unlink them first to link elsewhere.",
            ));
        }
        (None, None) => {}
    }
    if !target.user.email_verified {
        // Until they prove their address, nobody is linked to a person (an org creator's
        // own organization included).
        return Err(ApiError::conflict(authz::TARGET_UNVERIFIED));
    }
    match users::link_person(
        &txn,
        org,
        &target.user.id,
        &person.id,
        &caller.id,
        state.now(),
    )
    .await
    {
        Ok(true) => {}
        // Changed by a concurrent request since it was read: say what it is now.
        Ok(false) => {
            return Err(
                match users::find_member(&txn, org, &target.user.id).await? {
                    None => ApiError::not_found(USER_NOT_FOUND),
                    Some(_) => ApiError::conflict("User is already linked to a person"),
                },
            );
        }
        Err(e) if is_unique_violation(&e) => return Err(ApiError::conflict(PERSON_LINKED)),
        Err(e) => return Err(e.into()),
    }
    let updated = reread(&txn, org, &target.user.id).await?;
    txn.commit().await?;
    Ok(updated)
}

/// An admin unlinks a member from their person.
pub async fn unlink(state: &AppState, caller: &User, raw_user: &str) -> Result<(), ApiError> {
    let org = &authz::authorize_org(&caller.actor(), OrgAction::UnlinkUser)?;
    let txn = begin_write(&state.db).await?;
    let target = member(&txn, org, raw_user).await?;
    if !users::unlink_person(&txn, org, &target.user.id, &caller.id, state.now()).await? {
        return Err(ApiError::conflict("User is not linked to a person"));
    }
    txn.commit().await?;
    Ok(())
}

/// A member links themselves to the person recorded with their own email address.
pub async fn link_self(
    state: &AppState,
    caller: &UserId,
    raw_person: &str,
) -> Result<Person, ApiError> {
    let txn = begin_write(&state.db).await?;
    let me = users::find(&txn, caller)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let org = authz::authorize_org(&me.actor(), OrgAction::LinkSelf)?;
    authz::authorize_verified(me.email_verified, authz::UNVERIFIED)?;
    if me.person_id.is_some() {
        return Err(ApiError::conflict(
            "You are already linked to a person. Unlink first to link elsewhere.",
        ));
    }
    let person = person(&txn, &org, raw_person, SELF_NOT_FOUND).await?;
    authz::authorize_self_link(
        &me.actor(),
        &me.email,
        &authz::ClaimablePerson {
            org_id: &person.organization_id,
            email: person.email.as_deref(),
            linked_to_someone: person.user_id.is_some(),
        },
    )?;
    match users::link_person(&txn, &org, &me.id, &person.id, &me.id, state.now()).await {
        Ok(true) => {}
        Ok(false) => {
            return Err(ApiError::conflict(
                "You are already linked to a person. Unlink first to link elsewhere.",
            ));
        }
        Err(e) if is_unique_violation(&e) => return Err(ApiError::not_found(SELF_NOT_FOUND)),
        Err(e) => return Err(e.into()),
    }
    let linked = persons::find(&txn, &org, &person.id)
        .await?
        .ok_or_else(|| ApiError::internal(anyhow::anyhow!("person vanished")))?;
    txn.commit().await?;
    Ok(linked)
}

/// A member unlinks themselves from their person.
pub async fn unlink_self(state: &AppState, caller: &UserId) -> Result<(), ApiError> {
    let txn = begin_write(&state.db).await?;
    let me = users::find(&txn, caller)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let unlinked = match &me.organization_id {
        Some(org) => users::unlink_person(&txn, org, &me.id, &me.id, state.now()).await?,
        None => false,
    };
    if !unlinked {
        return Err(ApiError::conflict(
            "You are not currently linked to any person",
        ));
    }
    txn.commit().await?;
    Ok(())
}

/// The organization page of an admin: members, invitations, and the people not linked to
/// anyone (to link a member to, or to invite someone as).
pub struct Overview {
    pub members: Vec<Member>,
    pub invitations: Vec<manageros_store::repo::invitations::Invitation>,
    pub unlinked_people: Vec<Person>,
}

/// The most unlinked people the organization page offers.
pub const UNLINKED_LIMIT: u64 = 1_000;

/// Everything the organization page shows (admins).
pub async fn overview(state: &AppState, caller: &User) -> Result<Overview, ApiError> {
    let org = authz::authorize_org(&caller.actor(), OrgAction::ViewMembers)?;
    Ok(Overview {
        members: users::list_members(&state.db, &org).await?,
        invitations: manageros_store::repo::invitations::list_for_org(&state.db, &org).await?,
        unlinked_people: persons::unlinked(&state.db, &org, UNLINKED_LIMIT).await?,
    })
}
