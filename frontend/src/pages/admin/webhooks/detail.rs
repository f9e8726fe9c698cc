//! One endpoint on its page: its events and secret, Send test message, Disable or
//! Enable, Rotate secret, Delete, its settings and its delivery log.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use partnerly_domain::webhook::{UpdateWebhookEndpointRequest, WebhookEndpoint};

use super::deliveries::{DeliveryLog, PER_PAGE};
use super::form::WebhookForm;
use super::{ActiveBadge, events_words};
use crate::api::ApiFailure;
use crate::api::admin::{self, ListQuery};
use crate::components::confirm::ConfirmButton;
use crate::components::copy::SecretOnce;
use crate::components::fetch::Fetch;
use crate::components::form::{FormAlert, failure_of};
use crate::pages::admin::AdminHeader;
use crate::session::use_session;

/// What an action on the endpoint did, for the note beside the buttons.
#[derive(Debug, Clone, PartialEq)]
enum Done {
    TestQueued,
    Rotated(String),
    Toggled,
}

/// The loaded endpoint.
#[component]
pub(super) fn WebhookDetail(
    /// The endpoint as loaded.
    endpoint: WebhookEndpoint,
) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let id = endpoint.id;
    let current = RwSignal::new(endpoint.clone());
    let page = RwSignal::new(1_u32);
    let deliveries = Fetch::new(move || {
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
