//! Page frames: the signed-in layout with navigation, the card that holds the sign-in and
//! sign-up forms, the loading indicator and what a page shows when its data failed.

use std::any::Any;
use std::rc::Rc;
use std::sync::Arc;

use leptos::error::Errors;
use leptos::prelude::*;
use leptos_router::components::A;

use super::fetch::{Erased, Fetch, downcast};
use crate::api::{self, ApiFailure};
use crate::session::use_session;

/// Sets the browser tab's title to "`page` · Partnerly".
pub fn set_title(page: &str) {
    document().set_title(&format!("{page} · Partnerly"));
}

/// Brings the element with `id` into view once the current changes are drawn (Leptos
/// draws them in microtasks, before the next frame): a panel opened from a button
/// further down the page.
pub fn scroll_into_view_soon(id: &'static str) {
    request_animation_frame(move || {
        if let Some(element) = document().get_element_by_id(id) {
            element.scroll_into_view();
        }
    });
}

/// The product's name, linking to the start page.
#[component]
fn Brand() -> impl IntoView {
    view! {
        <A href="/" attr:class="brand">
            <span class="brand-mark" aria-hidden="true">"P"</span>
            <span class="brand-name">"Partnerly"</span>
        </A>
    }
}

/// The frame of every signed-in page: navigation (the partner pages, or Admin for
/// staff), the partner's name and public id, and Sign out. A sidebar on wide screens, a compact top bar on phones.
#[component]
pub fn Layout(
    /// The page (the router's `<Outlet/>`).
    children: Children,
) -> impl IntoView {
    let session = use_session();
    let sign_out = Action::new_local(move |(): &()| async move {
        // Forget the session even if the server cannot be reached: the partner asked to
        // leave, and the refresh cookie expires on its own.
        let _ = api::sign_out().await;
        session.clear();
    });
    // Staff see the admin pages instead of a partner's dashboard and earnings.
    let is_staff = Memo::new(move |_| session.role().is_some_and(|role| role.is_staff()));
    let name = move || session.account().map(|a| a.display_name());
    let public_id = move || {
        session
            .account()
            .and_then(|a| a.public_id)
            .map(|id| id.to_string())
    };

    view! {
        <div class="shell">
            <header class="topbar">
                <Brand />
                <nav class="nav" aria-label="Main">
                    {move || {
                        if is_staff.get() {
                            view! { <A href="/admin">"Admin"</A> }.into_any()
                        } else {
                            view! {
                                <A href="/dashboard">"Dashboard"</A>
                                <A href="/links">"Links"</A>
                                <A href="/deals">"Deals"</A>
                                <A href="/earnings">"Earnings"</A>
                            }
                                .into_any()
                        }
                    }}
                    <A href="/profile">"Profile"</A>
                </nav>
                <div class="account">
                    <div class="account-who">
                        <span class="account-name">{name}</span>
                        {move || {
                            public_id()
                                .map(|id| {
                                    view! {
                                        <span class="account-id" title="Your partner id">
                                            {id}
                                        </span>
                                    }
                                })
                        }}
                    </div>
                    <button
                        type="button"
                        class="button button-quiet"
                        disabled=move || sign_out.pending().get()
                        on:click=move |_| {
                            sign_out.dispatch_local(());
                        }
                    >
                        "Sign out"
                    </button>
                </div>
            </header>
            <main class="content">{children()}</main>
        </div>
    }
}

/// The centred card around the forms of signed-out visitors.
#[component]
pub fn AuthCard(
    /// The page's `<h1>`, also used as the tab title.
    title: &'static str,
    /// A sentence under the heading.
    #[prop(optional)]
    intro: Option<&'static str>,
    /// The form and links.
    children: Children,
) -> impl IntoView {
    set_title(title);
    view! {
        <div class="auth-page">
            <header class="auth-header">
                <Brand />
            </header>
            <main class="auth-card">
                <h1>{title}</h1>
                {intro.map(|intro| view! { <p class="intro">{intro}</p> })}
                {children()}
            </main>
        </div>
    }
}

/// Shown while the session or a page's data loads.
#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <div class="loading" role="status" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            "Loading…"
        </div>
    }
}

/// What a page shows when its data could not be loaded, with a way to try again.
#[component]
pub fn LoadFailed(
    /// What failed to load, in words: "your profile".
    what: &'static str,
    /// The errors caught by the boundary.
    errors: ArcRwSignal<Errors>,
    /// Loads the data again.
    retry: impl Fn() + Send + Sync + 'static,
) -> impl IntoView {
    let messages = move || {
        errors
            .get()
            .into_iter()
            .map(|(_, error)| view! { <p>{error.to_string()}</p> })
            .collect_view()
    };
    view! {
        <div class="alert" role="alert">
            <p>{format!("We could not load {what}.")}</p>
            {messages}
            <p>
                <button type="button" class="button button-quiet" on:click=move |_| retry()>
                    "Try again"
                </button>
            </p>
        </div>
    }
}

/// A page's data as it loads: the loading indicator first, then `render`'s view of the
/// data, or [`LoadFailed`] with the API's message (a 403 says "You are not allowed to do
/// this."). While the data reloads the current view stays.
#[component]
pub fn Loaded<T, F, V>(
    /// What is loading, in words: "the programs".
    what: &'static str,
    /// The data.
    data: Fetch<T>,
    /// Draws the loaded data.
    render: F,
) -> impl IntoView
where
    T: Clone + 'static,
    F: Fn(T) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let render: Render =
        Arc::new(move |value| downcast(value).map(|value| render(value).into_any()));
    view! { <LoadedFrame what data=data.resource render /> }
}

/// Draws a loaded value of a [`Fetch`], or why it is not there.
type Render = Arc<dyn Fn(&Rc<dyn Any>) -> Result<AnyView, ApiFailure> + Send + Sync>;

/// [`Loaded`] for every type at once: its transition, error boundary and retry exist
/// once in the portal rather than once per page.
#[component]
fn LoadedFrame(what: &'static str, data: LocalResource<Erased>, render: Render) -> impl IntoView {
    view! {
        <Transition fallback=Loading>
            <ErrorBoundary fallback=move |errors| {
                view! { <LoadFailed what errors retry=move || data.refetch() /> }
            }>
                {
                    let render = render.clone();
                    move || {
                        let render = render.clone();
                        Suspend::new(async move { data.await.and_then(|value| render(&value)) })
                    }
                }
            </ErrorBoundary>
        </Transition>
    }
}
