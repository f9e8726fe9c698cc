//! An endpoint's settings: the form that creates an endpoint, and edits one on its page.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::FieldErrors;
use partnerly_domain::webhook::{
    ALL_EVENTS, CreateWebhookEndpointRequest, EVENT_TYPES, EventFilter,
    UpdateWebhookEndpointRequest, WebhookEndpoint, parse_description,
};

use crate::api::{ApiFailure, admin};
use crate::components::form::{
    CheckboxField, CheckboxGroup, FormAlert, SubmitActions, TextField, failure_of, field,
    field_error, succeeded,
};
use crate::session::use_session;

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

/// The endpoint form's inputs, as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct EndpointInputs {
    url: String,
    description: String,
    /// The ticked event types, or [`ALL_EVENTS`].
    events: Vec<String>,
    /// Whether the endpoint receives messages (edits only: new endpoints are active).
    active: bool,
}

impl EndpointInputs {
    /// `endpoint`'s settings; a new endpoint gets every event.
    fn of(endpoint: Option<&WebhookEndpoint>) -> Self {
        match endpoint {
            Some(endpoint) => Self {
                url: endpoint.url.clone(),
                description: endpoint.description.clone(),
                events: endpoint.events.clone(),
                active: endpoint.active,
            },
            None => Self {
                url: String::new(),
                description: String::new(),
                events: vec![ALL_EVENTS.to_owned()],
                active: true,
            },
        }
    }

    fn to_request(&self) -> CreateWebhookEndpointRequest {
        CreateWebhookEndpointRequest {
            url: self.url.clone(),
            description: Some(self.description.clone()),
            events: self.events.clone(),
        }
    }
}

/// URL, description, events and (when editing) whether the endpoint is active.
#[component]
pub(super) fn WebhookForm(
    /// The endpoint to edit; `None` creates one.
    initial: Option<WebhookEndpoint>,
    /// Called with the endpoint as saved.
    on_saved: Callback<WebhookEndpoint>,
) -> impl IntoView {
    let session = use_session();
    let editing = initial.as_ref().map(|e| e.id);
    let form = RwSignal::new(EndpointInputs::of(initial.as_ref()));

    let save = Action::new_local(move |inputs: &EndpointInputs| {
        let request = inputs.to_request();
        let active = inputs.active;
        async move {
            check_endpoint(&request).map_err(ApiFailure::from_fields)?;
            let endpoint = match editing {
                Some(id) => {
                    let change = UpdateWebhookEndpointRequest {
                        url: Some(request.url),
                        description: request.description,
                        events: Some(request.events),
                        active: Some(active),
                    };
                    admin::update_webhook(session, id, &change).await?
                }
                None => {
                    let endpoint = admin::create_webhook(session, &request).await?;
                    form.update(|f| {
                        f.url.clear();
                        f.description.clear();
                    });
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
        save.dispatch_local(form.get_untracked());
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
                value=field!(form.url)
                error=field_error(failure, "url")
                input_type="url"
                hint="The vendor's receiver, like https://billing.example.com/partnerly/webhooks."
                required=true
            />
            <TextField
                id="webhook-description"
                label="Description"
                value=field!(form.description)
                error=field_error(failure, "description")
                hint="Optional: what receives these messages."
            />
            <CheckboxGroup
                id="webhook-events"
                legend="Events"
                options=event_options()
                values=field!(form.events)
                error=field_error(failure, "events")
            />
            {editing
                .is_some()
                .then(|| {
                    view! {
                        <CheckboxField
                            id="webhook-active"
                            label="Active"
                            checked=field!(form.active)
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
