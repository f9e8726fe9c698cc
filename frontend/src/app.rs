//! The root component: the session context, the routes and their guards.

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{NavigateOptions, path};

use crate::components::layout::{AuthCard, Layout, Loading};
use crate::pages::admin::adjustments::AdjustmentsPage;
use crate::pages::admin::api_keys::ApiKeysPage;
use crate::pages::admin::audit::AuditPage;
use crate::pages::admin::deals::AdminDealsPage;
use crate::pages::admin::programs::{ProgramPage, ProgramsPage};
use crate::pages::admin::webhooks::{WebhookPage, WebhooksPage};
use crate::pages::admin::{AdminHome, AdminNotFound, Area, StaffOnly};
use crate::pages::{
    dashboard::Dashboard, deals::DealsPage, earnings::Earnings, forgot_password::ForgotPassword,
    links::LinksPage, profile::Profile, reset_password::ResetPassword, sign_in::SignIn,
    sign_up::SignUp,
};
use crate::session::{Session, Status, use_session};

/// Where a signed-in partner lands.
const HOME: &str = "/dashboard";
/// Where signed-in staff land.
const STAFF_HOME: &str = "/admin";
/// Where everyone else lands.
const SIGN_IN: &str = "/sign-in";

/// The partner portal.
#[component]
pub fn App() -> impl IntoView {
    Session::provide();
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=Home />
                <Route
                    path=path!("/sign-up")
                    view=|| view! { <SignedOutOnly><SignUp /></SignedOutOnly> }
                />
                <Route
                    path=path!("/sign-in")
                    view=|| view! { <SignedOutOnly><SignIn /></SignedOutOnly> }
                />
                <Route path=path!("/forgot-password") view=ForgotPassword />
                <Route path=path!("/reset-password") view=ResetPassword />
                // Every page of a signed-in partner, inside the navigation layout.
                <ParentRoute
                    path=path!("")
                    view=|| view! { <SignedInOnly><Layout><Outlet /></Layout></SignedInOnly> }
                >
                    <Route path=path!("/dashboard") view=Dashboard />
                    <Route path=path!("/links") view=LinksPage />
                    <Route path=path!("/deals") view=DealsPage />
                    <Route path=path!("/earnings") view=Earnings />
                    <Route path=path!("/profile") view=Profile />
                    // Staff pages; partners get a "not allowed" page, never a blank one.
                    <Route
                        path=path!("/admin")
                        view=|| view! { <StaffOnly><AdminHome /></StaffOnly> }
                    />
                    <Route
                        path=path!("/admin/programs")
                        view=|| view! { <StaffOnly area=Area::Programs><ProgramsPage /></StaffOnly> }
                    />
                    <Route
                        path=path!("/admin/programs/:id")
                        view=|| view! { <StaffOnly area=Area::Programs><ProgramPage /></StaffOnly> }
                    />
                    <Route
                        path=path!("/admin/api-keys")
                        view=|| view! { <StaffOnly area=Area::ApiKeys><ApiKeysPage /></StaffOnly> }
                    />
                    <Route
                        path=path!("/admin/webhooks")
                        view=|| view! { <StaffOnly area=Area::Webhooks><WebhooksPage /></StaffOnly> }
                    />
                    <Route
                        path=path!("/admin/webhooks/:id")
                        view=|| view! { <StaffOnly area=Area::Webhooks><WebhookPage /></StaffOnly> }
                    />
                    <Route
                        path=path!("/admin/adjustments")
                        view=|| {
                            view! { <StaffOnly area=Area::Adjustments><AdjustmentsPage /></StaffOnly> }
                        }
                    />
                    <Route
                        path=path!("/admin/deals")
                        view=|| view! { <StaffOnly area=Area::Deals><AdminDealsPage /></StaffOnly> }
                    />
                    <Route
                        path=path!("/admin/audit")
                        view=|| view! { <StaffOnly area=Area::Audit><AuditPage /></StaffOnly> }
                    />
                    <Route
                        path=path!("/admin/*any")
                        view=|| view! { <StaffOnly><AdminNotFound /></StaffOnly> }
                    />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Where the signed-in account lands: partners on their dashboard, staff on the admin
/// overview.
fn home(session: Session) -> &'static str {
    if session.role().is_some_and(|role| role.is_staff()) {
        STAFF_HOME
    } else {
        HOME
    }
}

/// A redirect that replaces the current history entry, so Back does not bounce.
#[component]
fn Replace(
    /// The absolute path to go to.
    to: &'static str,
) -> impl IntoView {
    view! {
        <Redirect
            path=to
            options=NavigateOptions {
                replace: true,
                ..Default::default()
            }
        />
    }
}

/// `/`: the dashboard when signed in, the sign-in page otherwise.
#[component]
fn Home() -> impl IntoView {
    let session = use_session();
    move || match session.status() {
        Status::Restoring => view! { <Loading /> }.into_any(),
        Status::SignedIn => view! { <Replace to=home(session) /> }.into_any(),
        Status::SignedOut => view! { <Replace to=SIGN_IN /> }.into_any(),
    }
}

/// Shows its children only to signed-in partners; sends others to the sign-in page.
#[component]
fn SignedInOnly(
    /// The protected content.
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    move || match session.status() {
        Status::Restoring => view! { <Loading /> }.into_any(),
        Status::SignedIn => children().into_any(),
        Status::SignedOut => view! { <Replace to=SIGN_IN /> }.into_any(),
    }
}

/// Shows its children only when nobody is signed in (sign-in, sign-up); sends a signed-in
/// partner to their dashboard (staff to the admin overview), which is also what happens
/// right after signing in.
#[component]
fn SignedOutOnly(
    /// The content for visitors.
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    move || match session.status() {
        Status::Restoring => view! { <Loading /> }.into_any(),
        Status::SignedOut => children().into_any(),
        Status::SignedIn => view! { <Replace to=home(session) /> }.into_any(),
    }
}

/// Any other path.
#[component]
fn NotFound() -> impl IntoView {
    view! {
        <AuthCard title="Page not found">
            <p>"There is nothing at this address."</p>
            <p>
                <a href="/">"Go to the portal"</a>
            </p>
        </AuthCard>
    }
}
