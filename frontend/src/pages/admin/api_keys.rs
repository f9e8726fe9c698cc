//! `/admin/api-keys` (E3): the keys the vendor's billing and integrations use, with
//! their scopes and when they were last used; create one (its secret is shown once) and
//! revoke one. Admins only.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::api_key::{
    ApiKey, ApiKeyList, CreateApiKeyRequest, EVENTS_WRITE, READ, SCOPES,
};

use super::AdminHeader;
use crate::api::{ApiFailure, admin};
use crate::components::confirm::ConfirmButton;
use crate::components::copy::SecretOnce;
use crate::components::fetch::Fetch;
use crate::components::form::{
    CheckboxGroup, FormAlert, SubmitButton, TextField, failure_of, field_error,
};
use crate::components::layout::Loaded;
use crate::components::table::{Column, DataTable};
use crate::format::format_date;
use crate::session::use_session;

/// What a scope lets a key do.
fn scope_words(scope: &str) -> String {
    match scope {
        EVENTS_WRITE => "events:write — send vendor events (sign-ups, payments, refunds)".into(),
        READ => "read — read data through the API".into(),
        other => other.to_owned(),
    }
}

/// The list, the creation form and, right after a creation, the new secret.
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    let session = use_session();
    let keys = Fetch::new(move || admin::api_keys(session));
    // The secret of the key just created: shown until dismissed, never again.
    let secret = RwSignal::new(None::<String>);
    let revoke = Action::new_local(move |id: &i64| {
        let id = *id;
        async move {
            admin::revoke_api_key(session, id).await?;
            keys.refetch();
            Ok::<_, ApiFailure>(())
        }
    });
    let revoke_failure = failure_of(revoke);
    let on_created = Callback::new(move |value: String| {
        secret.set(Some(value));
        keys.refetch();
    });
    let on_revoke = Callback::new(move |id: i64| {
        revoke.dispatch_local(id);
    });
    let revoking = revoke.pending();

    view! {
        <div class="page page-wide">
            <AdminHeader
                title="API keys"
                intro="Keys let the vendor's billing send events and integrations read data. Revoke a key the moment it may have leaked."
            />
            {move || {
                secret
                    .get()
                    .map(|value| {
                        view! {
                            <SecretOnce
                                title="Your new API key"
                                secret=value
                                note="Send it as Authorization: Bearer <key>."
                                on_done=Callback::new(move |()| secret.set(None))
                            />
                        }
                    })
            }}
            <section class="panel" aria-labelledby="new-key-heading">
                <h2 id="new-key-heading">"New API key"</h2>
                <CreateKeyForm on_created />
            </section>
            <FormAlert failure=revoke_failure fields=&[] />
            <Loaded
                what="the API keys"
                data=keys
                render=move |list: ApiKeyList| {
                    view! { <KeyTable keys=list.items on_revoke revoking /> }
                }
            />
        </div>
    }
}

/// Name, owner and scopes.
#[component]
fn CreateKeyForm(
    /// Called with the new key's secret.
    on_created: Callback<String>,
) -> impl IntoView {
    let session = use_session();
    let name = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec![SCOPES[0].to_owned()]);
    let create = Action::new_local(move |request: &CreateApiKeyRequest| {
        let request = request.clone();
        async move {
            request.validate().map_err(ApiFailure::from_fields)?;
            let created = admin::create_api_key(session, &request).await?;
            name.set(String::new());
            owner.set(String::new());
            on_created.run(created.secret);
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(create);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let owner = owner.get_untracked();
        create.dispatch_local(CreateApiKeyRequest {
            name: name.get_untracked(),
            owner: (!owner.trim().is_empty()).then_some(owner),
            scopes: scopes.get_untracked(),
        });
    };
    let options = SCOPES
        .iter()
        .map(|s| ((*s).to_owned(), scope_words(s)))
        .collect::<Vec<_>>();
    view! {
        <form aria-label="New API key" novalidate on:submit=on_submit>
            <FormAlert failure fields=&["name", "owner", "scopes"] />
            <div class="field-row">
                <TextField
                    id="key-name"
                    label="Key name"
                    value=name
                    error=field_error(failure, "name")
                    hint="Where it is used, like Billing (production)."
                    required=true
                />
                <TextField
                    id="key-owner"
                    label="Owner"
                    value=owner
                    error=field_error(failure, "owner")
                    hint="Optional. Keys of one owner share event ids; the name by default."
                />
            </div>
            <CheckboxGroup
                id="key-scopes"
                legend="Scopes"
                options
                values=scopes
                error=field_error(failure, "scopes")
            />
            <div class="form-actions">
                <SubmitButton label="Create key" pending=create.pending() />
            </div>
        </form>
    }
}

/// Every key, newest first.
#[component]
fn KeyTable(
    /// The keys.
    keys: Vec<ApiKey>,
    /// Revokes a key.
    on_revoke: Callback<i64>,
    /// Whether a revocation is in flight.
    revoking: Memo<bool>,
) -> impl IntoView {
    if keys.is_empty() {
        return view! {
            <div class="panel empty-state">
                <p class="empty-title">"No API keys yet"</p>
                <p class="muted">"Create one for the vendor's billing with the form above."</p>
            </div>
        }
        .into_any();
    }
    let rows = keys
        .into_iter()
        .map(|key| {
            let id = key.id;
            let name = key.name.clone();
            let status = match key.revoked_at {
                Some(at) => view! {
                    <span class="badge badge-reversed">{format!("Revoked {}", format_date(at))}</span>
                }
                .into_any(),
                None => view! { <span class="badge badge-available">"Active"</span> }.into_any(),
            };
            let action = key.revoked_at.is_none().then(|| {
                view! {
                    <ConfirmButton
                        label="Revoke"
                        aria_label=format!("Revoke {name}")
                        question=format!(
                            "Revoke {name}? Everything using it gets 401 from now on; this cannot be undone.",
                        )
                        confirm_label="Revoke key"
                        pending=revoking
                        on_confirm=Callback::new(move |()| on_revoke.run(id))
                    />
                }
            });
            view! {
                <tr class:row-reversed=key.revoked_at.is_some()>
                    <td data-label="Name" class="cell-title">
                        <span class="cell-main">{key.name.clone()}</span>
                        <span class="cell-sub">{key.owner.clone()}</span>
                    </td>
                    <td data-label="Prefix">
                        <code>{format!("{}…", key.prefix)}</code>
                    </td>
                    <td data-label="Scopes">{key.scopes.join(", ")}</td>
                    <td data-label="Created" class="nowrap">{format_date(key.created_at)}</td>
                    <td data-label="Last used" class="nowrap">
                        {key.last_used_at.map_or_else(|| "Never".to_owned(), format_date)}
                    </td>
                    <td data-label="Status">{status}</td>
                    <td class="cell-actions">{action}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            caption="API keys, newest first"
            columns=&[
                Column::Text("Name"),
                Column::Text("Prefix"),
                Column::Text("Scopes"),
                Column::Text("Created"),
                Column::Text("Last used"),
                Column::Text("Status"),
                Column::Hidden("Actions"),
            ]
        >
            {rows}
        </DataTable>
    }
    .into_any()
}
