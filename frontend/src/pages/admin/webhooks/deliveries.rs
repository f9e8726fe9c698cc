//! An endpoint's delivery log: newest first, with each delivery's attempts, its body as
//! signed and a Redeliver button.

use std::time::Duration;

use leptos::prelude::*;
use partnerly_domain::webhook::{WebhookDelivery, WebhookDeliveryPage, WebhookDeliveryStatus};

use crate::api::{ApiFailure, admin};
use crate::components::fetch::Fetch;
use crate::components::form::{FormAlert, failure_of};
use crate::components::layout::Loaded;
use crate::components::pager::Pager;
use crate::components::table::{Column, DataTable};
use crate::format::format_datetime;
use crate::session::use_session;

/// Deliveries per page of the log.
pub(super) const PER_PAGE: u32 = 20;
/// How often the log reloads while a delivery is still pending.
const POLL_EVERY: Duration = Duration::from_millis(1500);

/// The endpoint's deliveries, newest first, with Redeliver; reloads by itself while a
/// delivery is still pending.
#[component]
pub(super) fn DeliveryLog(
    /// The page of the log.
    deliveries: Fetch<WebhookDeliveryPage>,
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
        let pending = deliveries.with_loaded(|loaded| {
            loaded.is_some_and(|p| {
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
