//! The root component: the session context, the routes and their guards.

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{NavigateOptions, path};

use crate::components::layout::{AuthCard, Layout, Loading};
use crate::pages::{
    dashboard::Dashboard, earnings::Earnings, forgot_password::ForgotPassword, profile::Profile,
    reset_password::ResetPassword, sign_in::SignIn, sign_up::SignUp,
};
use crate::session::{Session, Status, use_session};

/// Where a signed-in partner lands.
const HOME: &str = "/dashboard";
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
                    <Route path=path!("/earnings") view=Earnings />
                    <Route path=path!("/profile") view=Profile />
                </ParentRoute>
            </Routes>
        </Router>
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
        Status::SignedIn => view! { <Replace to=HOME /> }.into_any(),
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
/// partner to their dashboard, which is also what happens right after signing in.
#[component]
fn SignedOutOnly(
    /// The content for visitors.
    children: ChildrenFn,
) -> impl IntoView {
    let session = use_session();
    move || match session.status() {
        Status::Restoring => view! { <Loading /> }.into_any(),
        Status::SignedOut => children().into_any(),
        Status::SignedIn => view! { <Replace to=HOME /> }.into_any(),
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
