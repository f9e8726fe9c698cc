//! `/admin/webhooks` and `/admin/webhooks/:id` (I2): the endpoints Partnerly calls back;
//! create one (its signing secret is shown once), change, disable or delete it, rotate
//! its secret, send it a test message, and read its delivery log with a Redeliver
//! button per delivery. Admins only.
//!
//! This module has the two pages and the endpoints' table; `form.rs` an endpoint's
//! settings, `detail.rs` one endpoint with its actions, `deliveries.rs` its delivery log.

mod deliveries;
mod detail;
mod form;

use leptos::prelude::*;
use leptos_router::components::A;
use partnerly_domain::webhook::{ALL_EVENTS, WebhookEndpoint};

use self::detail::WebhookDetail;
use self::form::WebhookForm;
use super::{AdminHeader, load_by_route_id};
use crate::api::admin;
use crate::components::copy::SecretOnce;
use crate::components::fetch::Fetch;
use crate::components::layout::Loaded;
use crate::components::table::{Column, DataTable};
use crate::format::format_date;
use crate::session::use_session;

/// "All events" or the list of event types.
fn events_words(events: &[String]) -> String {
    if events.iter().any(|e| e == ALL_EVENTS) {
        "All events".to_owned()
    } else {
        events.join(", ")
    }
}

/// `/admin/webhooks`: the endpoints and the form for a new one.
#[component]
pub fn WebhooksPage() -> impl IntoView {
    let session = use_session();
    let endpoints = Fetch::new(move || admin::webhooks(session));
    // The endpoint just created, with its secret in full: shown until dismissed.
    let created = RwSignal::new(None::<WebhookEndpoint>);
    let on_saved = Callback::new(move |endpoint: WebhookEndpoint| {
        created.set(Some(endpoint));
        endpoints.refetch();
    });
    view! {
        <div class="page page-wide">
            <AdminHeader
                title="Webhooks"
                intro="Partnerly calls these URLs back when commissions and partners change, signed with each endpoint's secret."
            />
            {move || {
                created
                    .get()
                    .map(|endpoint| {
                        view! {
                            <SecretOnce
                                title="Signing secret of the new endpoint"
                                secret=endpoint.secret.clone()
                                note="The receiver checks each message's webhook-signature header with it."
                                on_done=Callback::new(move |()| created.set(None))
                            />
                            <p class="toolbar">
                                <A href=format!("/admin/webhooks/{}", endpoint.id)>
                                    "Open the new endpoint"
                                </A>
                            </p>
                        }
                    })
            }}
            <section class="panel" aria-labelledby="new-webhook-heading">
                <h2 id="new-webhook-heading">"New endpoint"</h2>
                <WebhookForm initial=None on_saved />
            </section>
            <Loaded
                what="the webhook endpoints"
                data=endpoints
                render=|endpoints| view! { <EndpointTable endpoints /> }
            />
        </div>
    }
}

/// Every endpoint.
#[component]
fn EndpointTable(
    /// The endpoints.
    endpoints: Vec<WebhookEndpoint>,
) -> impl IntoView {
    if endpoints.is_empty() {
        return view! {
            <div class="panel empty-state">
                <p class="empty-title">"No webhook endpoints yet"</p>
                <p class="muted">"Add the URL of the vendor's receiver with the form above."</p>
            </div>
        }
        .into_any();
    }
    let rows = endpoints
        .into_iter()
        .map(|endpoint| {
            view! {
                <tr>
                    <td data-label="URL" class="cell-title cell-wrap">
                        <A href=format!("/admin/webhooks/{}", endpoint.id)>{endpoint.url.clone()}</A>
                        <span class="cell-sub">{endpoint.description.clone()}</span>
                    </td>
                    <td data-label="Events">{events_words(&endpoint.events)}</td>
                    <td data-label="Status">
                        <ActiveBadge active=endpoint.active />
                    </td>
                    <td data-label="Created" class="nowrap">{format_date(endpoint.created_at)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            caption="Webhook endpoints"
            columns=&[
                Column::Text("URL"),
                Column::Text("Events"),
                Column::Text("Status"),
                Column::Text("Created"),
            ]
        >
            {rows}
        </DataTable>
    }
    .into_any()
}

/// "Active" or "Disabled".
#[component]
fn ActiveBadge(
    /// Whether the endpoint receives messages.
    active: bool,
) -> impl IntoView {
    if active {
        view! { <span class="badge badge-available">"Active"</span> }
    } else {
        view! { <span class="badge badge-reversed">"Disabled"</span> }
    }
}

/// `/admin/webhooks/:id`: one endpoint, its actions and its delivery log.
#[component]
pub fn WebhookPage() -> impl IntoView {
    let session = use_session();
    let endpoint = load_by_route_id(
        move |id| admin::webhook(session, id),
        "There is no such webhook endpoint.",
    );
    view! {
        <div class="page page-wide">
            <Loaded
                what="the webhook endpoint"
                data=endpoint
                render=|endpoint: WebhookEndpoint| view! { <WebhookDetail endpoint /> }
            />
        </div>
    }
}
