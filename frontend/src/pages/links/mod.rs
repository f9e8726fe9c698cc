//! `/links` (T1, T2, T5): the partner's referral links with their figures (clicks,
//! unique clicks, sign-ups, paying customers, conversion, earnings), a new link (a
//! label, an optional code of their own and promo code, the program when they are in
//! several), and for the chosen link its address to copy, share buttons, the QR code and
//! its settings (label, promo code, disabled).
//!
//! This module has the page and the chosen link's panel; `table.rs` the table,
//! `form.rs` the two forms, `share.rs` the share buttons and `qr.rs` the QR code.

mod form;
mod qr;
mod share;
mod table;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use partnerly_domain::link::{LinkList, LinkView, UpdateLinkRequest};
use partnerly_domain::partner::{MembershipList, MembershipView};

use self::form::{EditLinkForm, NewLinkForm};
use self::qr::QrCodes;
use self::share::ShareLink;
pub(crate) use self::table::LinkTable;
use crate::api::{self, ApiFailure};
use crate::components::copy::CopyField;
use crate::components::fetch::Fetch;
use crate::components::form::{FormAlert, failure_of};
use crate::components::layout::{Loaded, scroll_into_view_soon, set_title};
use crate::format::format_date;
use crate::session::use_session;

/// What a link is called on the page: its label, else "Default link" or its code.
pub(crate) fn link_title(link: &LinkView) -> String {
    if !link.label.is_empty() {
        link.label.clone()
    } else if link.is_default {
        "Default link".to_owned()
    } else {
        link.code.clone()
    }
}

/// The links and the partner's programs, loaded together. `?link=12` opens that link's
/// panel (the dashboard's buttons lead here).
#[component]
pub fn LinksPage() -> impl IntoView {
    set_title("Links");
    let session = use_session();
    let query = use_query_map();
    let asked = query.with_untracked(|q| q.get("link").and_then(|id| id.parse::<i64>().ok()));
    let data = Fetch::new(move || async move {
        let links = api::links(session).await?;
        let programs = api::programs(session).await?;
        Ok::<_, ApiFailure>((links, programs))
    });
    view! {
        <div class="page page-wide">
            <header class="page-header">
                <h1>"Links"</h1>
                <p class="intro">
                    "Your referral links, what each one brought, and ways to share them."
                </p>
            </header>
            <Loaded
                what="your links"
                data
                render=move |(links, programs): (LinkList, MembershipList)| {
                    view! { <LinksView links=links.items programs=programs.items asked /> }
                }
            />
        </div>
    }
}

/// The loaded page. Changes answer the link as stored, which replaces it in place, so
/// the page keeps its state (the chosen link, a share message being written).
#[component]
fn LinksView(
    /// The links as loaded.
    links: Vec<LinkView>,
    /// The partner's programs, for a new link.
    programs: Vec<MembershipView>,
    /// The link to show first, if the address names one; else the default link.
    asked: Option<i64>,
) -> impl IntoView {
    let first = links
        .iter()
        .find(|l| Some(l.id) == asked)
        .or_else(|| links.iter().find(|l| l.is_default && !l.disabled))
        .or(links.first())
        .map(|l| l.id);
    let links = RwSignal::new(links);
    let chosen = RwSignal::new(first);
    let creating = RwSignal::new(false);
    let several_programs = programs.len() > 1;
    let on_saved = Callback::new(move |saved: LinkView| {
        links.update(|links| match links.iter_mut().find(|l| l.id == saved.id) {
            Some(link) => *link = saved,
            None => links.push(saved),
        });
    });
    let on_choose = Callback::new(move |id: i64| {
        chosen.set(Some(id));
        scroll_into_view_soon(PANEL_ID);
    });
    let on_created = Callback::new(move |created: LinkView| {
        let id = created.id;
        on_saved.run(created);
        creating.set(false);
        on_choose.run(id);
    });
    let programs = StoredValue::new(programs);

    view! {
        <div class="toolbar">
            <button
                type="button"
                class="button button-primary"
                aria-expanded=move || creating.get().to_string()
                on:click=move |_| creating.update(|open| *open = !*open)
            >
                "New link"
            </button>
        </div>
        {move || {
            creating
                .get()
                .then(|| {
                    view! {
                        <section class="panel" aria-labelledby="new-link-heading">
                            <h2 id="new-link-heading">"New link"</h2>
                            <NewLinkForm programs=programs.get_value() on_created />
                        </section>
                    }
                })
        }}
        {move || chosen.get().map(|id| view! { <LinkPanel id links on_saved /> })}
        <h2>"All links"</h2>
        <LinkTable links several_programs chosen on_choose />
    }
}

/// The id of the chosen link's panel.
const PANEL_ID: &str = "link-panel";

/// The chosen link: its address with Copy, sharing, the QR code and its settings.
#[component]
fn LinkPanel(
    /// The link's id.
    id: i64,
    /// Every link; this one is read from it.
    links: RwSignal<Vec<LinkView>>,
    /// Called with the link as stored after a change.
    on_saved: Callback<LinkView>,
) -> impl IntoView {
    let session = use_session();
    let link = Memo::new(move |_| links.with(|l| l.iter().find(|l| l.id == id).cloned()));
    let Some(first) = link.get_untracked() else {
        return ().into_any();
    };
    // Every change of the link: its settings, or disabling and enabling it.
    let update = Action::new_local(move |request: &UpdateLinkRequest| {
        let request = request.clone();
        async move {
            let link = api::update_link(session, id, &request).await?;
            on_saved.run(link.clone());
            Ok::<_, ApiFailure>(link)
        }
    });
    let disabled = move || link.with(|l| l.as_ref().is_some_and(|l| l.disabled));
    let toggling = RwSignal::new(false);
    let answer = failure_of(update);
    let toggle_failure = Signal::derive(move || toggling.get().then(|| answer.get()).flatten());
    let toggle = move |_| {
        toggling.set(true);
        update.dispatch_local(UpdateLinkRequest {
            disabled: Some(!disabled()),
            ..UpdateLinkRequest::default()
        });
    };

    view! {
        <section class="panel link-panel" id=PANEL_ID aria-labelledby="link-panel-heading">
            <div class="section-header">
                <h2 id="link-panel-heading">
                    {move || link.with(|l| l.as_ref().map(link_title))}
                </h2>
                {move || status_badge(disabled())}
            </div>
            <p class="muted">
                {format!("{} · created {}", first.program_name, format_date(first.created_at))}
            </p>
            <CopyField label="Referral link" value=first.url.clone() />
            <div class="link-panel-grid">
                <div>
                    <h3>"Share"</h3>
                    <ShareLink url=first.url.clone() program=first.program_name.clone() />
                </div>
                <div>
                    <h3>"QR code"</h3>
                    <QrCodes id code=first.code.clone() url=first.url.clone() />
                </div>
            </div>
            <h3>"Settings"</h3>
            <EditLinkForm link=first update toggling />
            <div class="link-toggle">
                <FormAlert failure=toggle_failure fields=&[] />
                <p class="hint">
                    {move || {
                        if disabled() {
                            "Disabled: visitors still reach the program's page, but are not credited to you."
                        } else {
                            "Disabling a link stops crediting its visitors to you; its code stays yours."
                        }
                    }}
                </p>
                <button
                    type="button"
                    class="button button-quiet"
                    disabled=move || update.pending().get()
                    on:click=toggle
                >
                    {move || if disabled() { "Enable link" } else { "Disable link" }}
                </button>
            </div>
        </section>
    }
    .into_any()
}

/// "Active" or "Disabled", as a badge.
pub(crate) fn status_badge(disabled: bool) -> impl IntoView {
    let (words, class) = if disabled {
        ("Disabled", "badge badge-reversed")
    } else {
        ("Active", "badge badge-available")
    };
    view! { <span class=class>{words}</span> }
}
