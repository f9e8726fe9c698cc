//! `/admin/webhooks` and `/admin/webhooks/:id` (I2): the endpoints Partnerly calls back;
//! create one (its signing secret is shown once), change, disable or delete it, rotate
//! its secret, send it a test message, and read its delivery log with a Redeliver
//! button per delivery. Admins only.

use std::time::Duration;

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use partnerly_domain::FieldErrors;
use partnerly_domain::webhook::{
    ALL_EVENTS, CreateWebhookEndpointRequest, EVENT_TYPES, EventFilter,
    UpdateWebhookEndpointRequest, WebhookDelivery, WebhookDeliveryPage, WebhookDeliveryStatus,
    WebhookEndpoint, parse_description,
};

use super::{AdminHeader, load_by_route_id};
use crate::api::ApiFailure;
use crate::api::admin::{self, ListQuery};
use crate::components::confirm::ConfirmButton;
use crate::components::copy::SecretOnce;
use crate::components::form::{
    CheckboxField, CheckboxGroup, FormAlert, SubmitActions, TextField, failure_of, field_error,
    succeeded,
};
use crate::components::layout::Loaded;
use crate::components::pager::Pager;
use crate::components::table::{Column, DataTable};
use crate::format::{format_date, format_datetime};
use crate::session::use_session;

/// Deliveries per page of the log.
const PER_PAGE: u32 = 20;
/// How often the log reloads while a delivery is still pending.
const POLL_EVERY: Duration = Duration::from_millis(1500);

/// "All events" or the list of event types.
fn events_words(events: &[String]) -> String {
    if events.iter().any(|e| e == ALL_EVENTS) {
        "All events".to_owned()
    } else {
        events.join(", ")
    }
}

/// The checkboxes of the event types: every type, and `*` for all, now and later.
fn event_options() -> Vec<(String, String)> {
    std::iter::once((
        ALL_EVENTS.to_owned(),
        "All events (*), including future ones".to_owned(),
    ))
    .chain(
        EVENT_TYPES
            .iter()
            .map(|t| ((*t).to_owned(), (*t).to_owned())),
    )
    .collect()
}

/// The checks of `CreateWebhookEndpointRequest::validate` that the browser makes before
/// sending: the description and the events. The URL is left to the server (the same
/// `validate`, answered as 422 beside the field): checking it here would take the `url`
/// crate and its Unicode tables (IDNA) into the portal: 158 KB of wasm, 67 KB gzipped.
fn check_endpoint(request: &CreateWebhookEndpointRequest) -> Result<(), FieldErrors> {
    let mut errors = FieldErrors::new();
    if let Err(problem) = parse_description(request.description.as_deref().unwrap_or_default()) {
        errors.insert("description".to_owned(), problem.to_owned());
    }
    if let Err(problem) = EventFilter::parse(&request.events) {
        errors.insert("events".to_owned(), problem);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// `/admin/webhooks`: the endpoints and the form for a new one.
#[component]
pub fn WebhooksPage() -> impl IntoView {
    let session = use_session();
    let endpoints = LocalResource::new(move || admin::webhooks(session));
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

/// URL, description, events and (when editing) whether the endpoint is active.
#[component]
fn WebhookForm(
    /// The endpoint to edit; `None` creates one.
    initial: Option<WebhookEndpoint>,
    /// Called with the endpoint as saved.
    on_saved: Callback<WebhookEndpoint>,
) -> impl IntoView {
    let session = use_session();
    let editing = initial.as_ref().map(|e| e.id);
    let url = RwSignal::new(initial.as_ref().map(|e| e.url.clone()).unwrap_or_default());
    let description = RwSignal::new(
        initial
            .as_ref()
            .map(|e| e.description.clone())
            .unwrap_or_default(),
    );
    let events = RwSignal::new(
        initial
            .as_ref()
            .map_or_else(|| vec![ALL_EVENTS.to_owned()], |e| e.events.clone()),
    );
    let active = RwSignal::new(initial.as_ref().is_none_or(|e| e.active));

    let save = Action::new_local(move |request: &CreateWebhookEndpointRequest| {
        let request = request.clone();
        async move {
            check_endpoint(&request).map_err(ApiFailure::from_fields)?;
            let endpoint = match editing {
                Some(id) => {
                    let change = UpdateWebhookEndpointRequest {
                        url: Some(request.url),
                        description: request.description,
                        events: Some(request.events),
                        active: Some(active.get_untracked()),
                    };
                    admin::update_webhook(session, id, &change).await?
                }
                None => {
                    let endpoint = admin::create_webhook(session, &request).await?;
                    url.set(String::new());
                    description.set(String::new());
                    endpoint
                }
            };
            on_saved.run(endpoint);
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(save);
    let saved = succeeded(save);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save.dispatch_local(CreateWebhookEndpointRequest {
            url: url.get_untracked(),
            description: Some(description.get_untracked()),
            events: events.get_untracked(),
        });
    };
    let (form_label, submit_label) = if editing.is_some() {
        ("Endpoint settings", "Save endpoint")
    } else {
        ("New endpoint", "Create endpoint")
    };
    view! {
        <form aria-label=form_label novalidate on:submit=on_submit>
            <FormAlert failure fields=&["url", "description", "events"] />
            <TextField
                id="webhook-url"
                label="URL"
                value=url
                error=field_error(failure, "url")
                input_type="url"
                hint="The vendor's receiver, like https://billing.example.com/partnerly/webhooks."
                required=true
            />
            <TextField
                id="webhook-description"
                label="Description"
                value=description
                error=field_error(failure, "description")
                hint="Optional: what receives these messages."
            />
            <CheckboxGroup
                id="webhook-events"
                legend="Events"
                options=event_options()
                values=events
                error=field_error(failure, "events")
            />
            {editing
                .is_some()
                .then(|| {
                    view! {
                        <CheckboxField
                            id="webhook-active"
                            label="Active"
                            checked=active
                            hint="A disabled endpoint receives nothing until enabled again."
                        />
                    }
                })}
            <SubmitActions
                label=submit_label
                pending=save.pending()
                done=Signal::derive(move || editing.is_some() && saved.get())
            />
        </form>
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

/// What an action on the endpoint did, for the note beside the buttons.
#[derive(Debug, Clone, PartialEq)]
enum Done {
    TestQueued,
    Rotated(String),
    Toggled,
}

/// The loaded endpoint.
#[component]
fn WebhookDetail(
    /// The endpoint as loaded.
    endpoint: WebhookEndpoint,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let id = endpoint.id;
    let current = RwSignal::new(endpoint.clone());
    let page = RwSignal::new(1_u32);
    let deliveries = LocalResource::new(move || {
        let query = ListQuery::page(page.get(), PER_PAGE);
        async move { admin::webhook_deliveries(session, id, &query).await }
    });
    let done = RwSignal::new(None::<Done>);

    let test = Action::new_local(move |(): &()| async move {
        admin::send_test_webhook(session, id).await?;
        done.set(Some(Done::TestQueued));
        page.set(1);
        deliveries.refetch();
        Ok::<_, ApiFailure>(())
    });
    let rotate = Action::new_local(move |(): &()| async move {
        let endpoint = admin::rotate_webhook_secret(session, id).await?;
        done.set(Some(Done::Rotated(endpoint.secret.clone())));
        current.set(endpoint);
        Ok::<_, ApiFailure>(())
    });
    let toggle = Action::new_local(move |active: &bool| {
        let change = UpdateWebhookEndpointRequest {
            active: Some(*active),
            ..Default::default()
        };
        async move {
            let endpoint = admin::update_webhook(session, id, &change).await?;
            current.set(endpoint);
            done.set(Some(Done::Toggled));
            Ok::<_, ApiFailure>(())
        }
    });
    let delete = Action::new_local(move |(): &()| {
        let navigate = navigate.clone();
        async move {
            admin::delete_webhook(session, id).await?;
            navigate("/admin/webhooks", Default::default());
            Ok::<_, ApiFailure>(())
        }
    });
    // The last failure of any of the actions.
    let failures = [
        failure_of(test),
        failure_of(rotate),
        failure_of(toggle),
        failure_of(delete),
    ];
    let failure = Signal::derive(move || failures.iter().find_map(|f| f.get()));
    let busy = Signal::derive(move || {
        test.pending().get()
            || rotate.pending().get()
            || toggle.pending().get()
            || delete.pending().get()
    });
    let on_saved = Callback::new(move |saved: WebhookEndpoint| current.set(saved));

    view! {
        {move || {
            view! {
                <AdminHeader title=current.with(|e| e.url.clone())>
                    <A href="/admin/webhooks">"← All endpoints"</A>
                </AdminHeader>
            }
        }}
        <section class="panel" aria-labelledby="endpoint-actions-heading">
            <div class="section-header">
                <h2 id="endpoint-actions-heading">"Endpoint"</h2>
                {move || view! { <ActiveBadge active=current.with(|e| e.active) /> }}
            </div>
            <dl class="facts">
                <div>
                    <dt>"Events"</dt>
                    <dd>{move || current.with(|e| events_words(&e.events))}</dd>
                </div>
                <div>
                    <dt>"Signing secret"</dt>
                    <dd>
                        <code>{move || current.with(|e| e.secret.clone())}</code>
                    </dd>
                </div>
            </dl>
            <FormAlert failure fields=&[] />
            <div class="action-row">
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || busy.get()
                    on:click=move |_| {
                        test.dispatch_local(());
                    }
                >
                    "Send test message"
                </button>
                <button
                    type="button"
                    class="button button-quiet"
                    disabled=move || busy.get()
                    on:click=move |_| {
                        toggle.dispatch_local(!current.with_untracked(|e| e.active));
                    }
                >
                    {move || if current.with(|e| e.active) { "Disable" } else { "Enable" }}
                </button>
                <ConfirmButton
                    label="Rotate secret"
                    question="Replace the signing secret? Messages are signed with the new one at once, so update the receiver right after."
                    confirm_label="Rotate secret now"
                    pending=busy
                    on_confirm=Callback::new(move |()| {
                        rotate.dispatch_local(());
                    })
                />
                <ConfirmButton
                    label="Delete"
                    aria_label="Delete endpoint"
                    question="Delete this endpoint and its delivery log? This cannot be undone."
                    confirm_label="Delete endpoint"
                    pending=busy
                    on_confirm=Callback::new(move |()| {
                        delete.dispatch_local(());
                    })
                />
            </div>
            {move || match done.get() {
                Some(Done::TestQueued) => {
                    view! {
                        <p class="success" role="status">
                            "Test message queued: it appears in the delivery log below."
                        </p>
                    }
                        .into_any()
                }
                Some(Done::Toggled) => {
                    view! {
                        <p class="success" role="status">
                            {if current.with(|e| e.active) {
                                "Enabled"
                            } else {
                                "Disabled: nothing is sent until you enable it again."
                            }}
                        </p>
                    }
                        .into_any()
                }
                Some(Done::Rotated(secret)) => {
                    view! {
                        <SecretOnce
                            title="New signing secret"
                            secret
                            note="The old secret no longer signs messages."
                            on_done=Callback::new(move |()| done.set(None))
                        />
                    }
                        .into_any()
                }
                None => ().into_any(),
            }}
        </section>
        <section class="panel" aria-labelledby="endpoint-settings-heading">
            <h2 id="endpoint-settings-heading">"Settings"</h2>
            <WebhookForm initial=Some(endpoint) on_saved />
        </section>
        <DeliveryLog deliveries page />
    }
}

/// The endpoint's deliveries, newest first, with Redeliver; reloads by itself while a
/// delivery is still pending.
#[component]
fn DeliveryLog(
    /// The page of the log.
    deliveries: LocalResource<Result<WebhookDeliveryPage, ApiFailure>>,
    /// The page shown, 1-based.
    page: RwSignal<u32>,
) -> impl IntoView {
    let session = use_session();
    let redeliver = Action::new_local(move |id: &i64| {
        let id = *id;
        async move {
            admin::redeliver_webhook(session, id).await?;
            deliveries.refetch();
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(redeliver);
    // Poll while the sender has work left, so a test message's fate shows by itself.
    Effect::new(move |_| {
        let pending = deliveries.with(|loaded| {
            loaded
                .as_ref()
                .and_then(|r| r.as_ref().ok())
                .is_some_and(|p| {
                    p.items
                        .iter()
                        .any(|d| d.status == WebhookDeliveryStatus::Pending)
                })
        });
        if pending
            && let Ok(handle) = set_timeout_with_handle(move || deliveries.refetch(), POLL_EVERY)
        {
            on_cleanup(move || handle.clear());
        }
    });
    let on_redeliver = Callback::new(move |id: i64| {
        redeliver.dispatch_local(id);
    });
    let on_turn = Callback::new(move |to: u32| page.set(to));
    let redelivering = redeliver.pending();

    view! {
        <section class="dashboard-section" aria-labelledby="deliveries-heading">
            <div class="section-header">
                <h2 id="deliveries-heading">"Delivery log"</h2>
                <button
                    type="button"
                    class="button button-quiet"
                    on:click=move |_| deliveries.refetch()
                >
                    "Refresh"
                </button>
            </div>
            <FormAlert failure fields=&[] />
            <Loaded
                what="the delivery log"
                data=deliveries
                render=move |log: WebhookDeliveryPage| {
                    view! { <DeliveryTable log on_redeliver redelivering on_turn /> }
                }
            />
        </section>
    }
}

/// A delivery's status as a badge.
fn status_badge(status: WebhookDeliveryStatus) -> (&'static str, &'static str) {
    match status {
        WebhookDeliveryStatus::Pending => ("Pending", "badge badge-pending"),
        WebhookDeliveryStatus::Delivered => ("Delivered", "badge badge-available"),
        WebhookDeliveryStatus::Failed => ("Failed", "badge badge-reversed"),
    }
}

/// "HTTP 500 · Internal error", "connection refused", or a dash.
fn last_response(delivery: &WebhookDelivery) -> String {
    let status = delivery.last_status_code.map(|code| format!("HTTP {code}"));
    let text = delivery
        .last_response
        .as_deref()
        .or(delivery.last_error.as_deref())
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.chars().take(120).collect::<String>());
    match (status, text) {
        (Some(status), Some(text)) => format!("{status} · {text}"),
        (Some(status), None) => status,
        (None, Some(text)) => text,
        (None, None) => "—".to_owned(),
    }
}

/// One page of deliveries.
#[component]
fn DeliveryTable(
    /// The page.
    log: WebhookDeliveryPage,
    /// Sends a delivery again.
    on_redeliver: Callback<i64>,
    /// Whether a redelivery is in flight.
    redelivering: Memo<bool>,
    /// Goes to another page.
    on_turn: Callback<u32>,
) -> impl IntoView {
    if log.total == 0 {
        return view! {
            <div class="panel empty-state">
                <p class="empty-title">"Nothing sent yet"</p>
                <p class="muted">"Send a test message to see how the receiver answers."</p>
            </div>
        }
        .into_any();
    }
    let rows = log
        .items
        .into_iter()
        .map(|delivery| {
            let (status, badge) = status_badge(delivery.status);
            let id = delivery.id;
            let response = last_response(&delivery);
            let attempts = delivery.attempts.len();
            let history = delivery
                .attempts
                .iter()
                .map(|a| {
                    let outcome = match (a.status_code, a.error.as_deref()) {
                        (Some(code), _) => format!("HTTP {code}"),
                        (None, Some(error)) => error.to_owned(),
                        (None, None) => "no answer".to_owned(),
                    };
                    view! {
                        <li>
                            {format!(
                                "{} — {outcome} ({} ms)",
                                format_datetime(a.attempted_at),
                                a.duration_ms,
                            )}
                        </li>
                    }
                })
                .collect_view();
            let event = delivery.event_type.clone();
            view! {
                <tr>
                    <td data-label="Event" class="cell-title">
                        <span class="cell-main">{delivery.event_type.clone()}</span>
                        <span class="cell-sub">{delivery.message_id.clone()}</span>
                        <details class="delivery-body">
                            <summary>"Body as signed"</summary>
                            <pre>{delivery.body.clone()}</pre>
                        </details>
                    </td>
                    <td data-label="Status">
                        <span class=badge>{status}</span>
                    </td>
                    <td data-label="Attempts">
                        {if attempts == 0 {
                            view! { <span>"0"</span> }.into_any()
                        } else {
                            view! {
                                <details class="attempts">
                                    <summary>{attempts.to_string()}</summary>
                                    <ul>{history}</ul>
                                </details>
                            }
                                .into_any()
                        }}
                    </td>
                    <td data-label="Last response" class="cell-wrap">{response}</td>
                    <td data-label="Next attempt" class="nowrap">
                        {delivery.next_attempt_at.map_or_else(|| "—".to_owned(), format_datetime)}
                    </td>
                    <td data-label="Created" class="nowrap">
                        {format_datetime(delivery.created_at)}
                    </td>
                    <td class="cell-actions">
                        <button
                            type="button"
                            class="button button-quiet button-small"
                            aria-label=format!("Redeliver {event}")
                            disabled=move || redelivering.get()
                            on:click=move |_| on_redeliver.run(id)
                        >
                            "Redeliver"
                        </button>
                    </td>
                </tr>
            }
        })
        .collect_view();
    let pager = view! {
        <Pager
            total=log.total
            page=log.page
            per_page=log.per_page
            noun=("delivery", "deliveries")
            on_turn
        />
    }
    .into_any();
    view! {
        <DataTable
            caption="Deliveries, newest first"
            columns=&[
                Column::Text("Event"),
                Column::Text("Status"),
                Column::Text("Attempts"),
                Column::Text("Last response"),
                Column::Text("Next attempt"),
                Column::Text("Created"),
                Column::Hidden("Actions"),
            ]
            footer=pager
        >
            {rows}
        </DataTable>
    }
    .into_any()
}
