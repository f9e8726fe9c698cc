//! The staff pages under `/admin`: programs and levels, deals, API keys, webhook
//! endpoints, adjustments and the audit log, plus the guard that keeps partners (and staff whose
//! role the API would refuse) out with a readable "not allowed" page.
//!
//! Which role may use which area mirrors the API's extractors (`ManagerUser`,
//! `FinanceUser`, `AdminUser`); the API stays the judge, and its 403 is shown like any
//! other failure if the two ever disagree.

pub mod adjustments;
pub mod api_keys;
pub mod audit;
pub mod deals;
pub mod programs;
pub mod webhooks;

use std::future::Future;

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use partnerly_domain::account::Role;

use crate::api::ApiFailure;
use crate::components::fetch::Fetch;
use crate::components::layout::set_title;
use crate::session::use_session;

/// Loads what the route's `:id` names, again whenever the id changes. An id that is not a
/// number gets `missing`, the same answer as an id that does not exist.
pub fn load_by_route_id<T, Fut>(
    load: impl Fn(i64) -> Fut + 'static,
    missing: &'static str,
) -> Fetch<T>
where
    T: Clone + 'static,
    Fut: Future<Output = Result<T, ApiFailure>> + 'static,
{
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|id| id.parse::<i64>().ok())));
    Fetch::new(move || {
        let loading = id.get().map(&load);
        async move {
            match loading {
                Some(loading) => loading.await,
                None => Err(ApiFailure::Network(missing.to_owned())),
            }
        }
    })
}

/// One area of the admin pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Area {
    /// Programs and their levels: managers and admins.
    Programs,
    /// Credits and debits of partners' balances: finance staff and admins.
    Adjustments,
    /// The leads partners' links brought, closed as won or lost: managers and admins.
    Deals,
    /// API keys: admins.
    ApiKeys,
    /// Webhook endpoints and their delivery log: admins.
    Webhooks,
    /// Who changed what: admins.
    Audit,
}

impl Area {
    /// Every area, in the order the navigation lists them.
    pub const ALL: [Area; 6] = [
        Area::Programs,
        Area::Deals,
        Area::Adjustments,
        Area::ApiKeys,
        Area::Webhooks,
        Area::Audit,
    ];

    /// Whether `role` may use the area (what the API allows).
    pub fn allows(self, role: Role) -> bool {
        match self {
            Area::Programs | Area::Deals => matches!(role, Role::Manager | Role::Admin),
            Area::Adjustments => matches!(role, Role::Finance | Role::Admin),
            Area::ApiKeys | Area::Webhooks | Area::Audit => role == Role::Admin,
        }
    }

    /// The area's name in the navigation and as its page heading.
    pub fn title(self) -> &'static str {
        match self {
            Area::Programs => "Programs",
            Area::Adjustments => "Adjustments",
            Area::Deals => "Deals",
            Area::ApiKeys => "API keys",
            Area::Webhooks => "Webhooks",
            Area::Audit => "Audit log",
        }
    }

    /// Where the area lives.
    pub fn href(self) -> &'static str {
        match self {
            Area::Programs => "/admin/programs",
            Area::Adjustments => "/admin/adjustments",
            Area::Deals => "/admin/deals",
            Area::ApiKeys => "/admin/api-keys",
            Area::Webhooks => "/admin/webhooks",
            Area::Audit => "/admin/audit",
        }
    }

    /// What the area is for, in one sentence.
    fn summary(self) -> &'static str {
        match self {
            Area::Programs => "Programs, their levels and commission rules.",
            Area::Adjustments => "Credit or debit a partner's available balance, with a reason.",
            Area::Deals => "Leads from partners' links: mark them won, with the amount, or lost.",
            Area::ApiKeys => "Keys for the vendor's billing and integrations; revoke them.",
            Area::Webhooks => "Endpoints Partnerly calls back, their secrets and delivery log.",
            Area::Audit => "Every change staff made, with the state before and after.",
        }
    }

    /// Who may use the area, for the "not allowed" page.
    fn who(self) -> &'static str {
        match self {
            Area::Programs | Area::Deals => "program managers and admins",
            Area::Adjustments => "finance staff and admins",
            Area::ApiKeys | Area::Webhooks | Area::Audit => "admins",
        }
    }
}

/// A role in words, for "You are signed in as …".
fn role_words(role: Role) -> &'static str {
    match role {
        Role::Partner => "a partner",
        Role::Manager => "a program manager",
        Role::Finance => "finance staff",
        Role::Admin => "an admin",
    }
}

/// Shows its children to staff whose role may use `area` (any staff when `None`), and
/// the "not allowed" page to everyone else.
#[component]
pub fn StaffOnly(
    /// The area the page belongs to; `None` for the admin overview.
    #[prop(optional)]
    area: Option<Area>,
    /// The page.
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    // Memoised: saving the profile replaces the account, which must not remount the page.
    let role = Memo::new(move |_| session.role());
    move || {
        let allowed = role.get().is_some_and(|role| match area {
            Some(area) => area.allows(role),
            None => role.is_staff(),
        });
        if allowed {
            children().into_any()
        } else {
            view! { <NotAllowed area role=role.get() /> }.into_any()
        }
    }
}

/// What someone sees on an admin page they may not use.
#[component]
fn NotAllowed(
    /// The area they tried to open.
    area: Option<Area>,
    /// Their role.
    role: Option<Role>,
) -> impl IntoView {
    set_title("Not allowed");
    let why = match (area, role) {
        (Some(area), Some(role)) if role.is_staff() => format!(
            "{} is for {}. You are signed in as {}.",
            area.title(),
            area.who(),
            role_words(role)
        ),
        _ => "These pages are for the program's staff. You are signed in as a partner.".to_owned(),
    };
    let home = if role.is_some_and(Role::is_staff) {
        ("/admin", "Go to the admin overview")
    } else {
        ("/dashboard", "Go to your dashboard")
    };
    view! {
        <div class="page">
            <header class="page-header">
                <h1>"Not allowed"</h1>
            </header>
            <div class="panel empty-state" role="alert">
                <p class="empty-title">"You cannot open this page"</p>
                <p class="muted">{why}</p>
                <A href=home.0 attr:class="button button-quiet">
                    {home.1}
                </A>
            </div>
        </div>
    }
}

/// The links between the admin areas the signed-in role may use.
#[component]
pub fn AdminNav() -> impl IntoView {
    let session = use_session();
    let links = move || {
        let role = session.role();
        Area::ALL
            .into_iter()
            .filter(|area| role.is_some_and(|role| area.allows(role)))
            .map(|area| view! { <A href=area.href()>{area.title()}</A> })
            .collect_view()
    };
    view! {
        <nav class="subnav" aria-label="Admin">
            {links}
        </nav>
    }
}

/// The heading of an admin page, under the admin navigation.
#[component]
pub fn AdminHeader(
    /// The page's `<h1>`, also the tab title.
    #[prop(into)]
    title: String,
    /// A sentence under the heading.
    #[prop(optional, into)]
    intro: Option<String>,
    /// Links or buttons beside the heading (a "back" link).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    set_title(&title);
    view! {
        <AdminNav />
        <header class="page-header">
            {children.map(|children| view! { <div class="page-back">{children()}</div> })}
            <h1>{title}</h1>
            {intro.map(|intro| view! { <p class="intro">{intro}</p> })}
        </header>
    }
}

/// `/admin`: the areas the signed-in staff member may use.
#[component]
pub fn AdminHome() -> impl IntoView {
    let session = use_session();
    let cards = move || {
        let role = session.role();
        Area::ALL
            .into_iter()
            .filter(|area| role.is_some_and(|role| area.allows(role)))
            .map(|area| {
                view! {
                    <li class="panel area-card">
                        <A href=area.href()>{area.title()}</A>
                        <p class="muted">{area.summary()}</p>
                    </li>
                }
            })
            .collect_view()
    };
    view! {
        <div class="page page-wide">
            <AdminHeader title="Admin" intro="Run the partner program: what you can do depends on your role." />
            <ul class="area-grid">{cards}</ul>
        </div>
    }
}

/// An admin address that does not exist.
#[component]
pub fn AdminNotFound() -> impl IntoView {
    view! {
        <div class="page">
            <AdminHeader title="Page not found" />
            <div class="panel empty-state">
                <p class="empty-title">"There is nothing at this address."</p>
                <A href="/admin" attr:class="button button-quiet">
                    "Go to the admin overview"
                </A>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn areas_follow_the_roles_the_api_allows() {
        for area in Area::ALL {
            assert!(area.allows(Role::Admin), "{area:?}");
            assert!(!area.allows(Role::Partner), "{area:?}");
        }
        assert!(Area::Programs.allows(Role::Manager));
        assert!(Area::Deals.allows(Role::Manager));
        assert!(!Area::Deals.allows(Role::Finance));
        assert!(!Area::Programs.allows(Role::Finance));
        assert!(Area::Adjustments.allows(Role::Finance));
        assert!(!Area::Adjustments.allows(Role::Manager));
        assert!(!Area::ApiKeys.allows(Role::Manager));
        assert!(!Area::Audit.allows(Role::Finance));
    }
}
