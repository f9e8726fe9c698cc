//! `/reset-password?token=...`: the page the emailed link opens; sets a new password.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use partnerly_domain::auth::PasswordResetConfirm;

use crate::api::{self, ApiFailure};
use crate::components::form::{
    FormAlert, FormSuccess, SubmitButton, TextField, failure_of, field_error, succeeded,
};
use crate::components::layout::AuthCard;

/// The new-password form for the token in the query string.
#[component]
pub fn ResetPassword() -> impl IntoView {
    let query = use_query_map();
    let token = Memo::new(move |_| {
        query
            .with(|q| q.get("token"))
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
    });
    let password = RwSignal::new(String::new());

    let submit = Action::new_local(move |request: &PasswordResetConfirm| {
        let request = request.clone();
        async move {
            request.validate().map_err(ApiFailure::from_fields)?;
            api::confirm_password_reset(&request).await
        }
    });
    let failure = failure_of(submit);
    let done = succeeded(submit);
    let bad_token = move || {
        failure.with(|f| f.as_ref().and_then(ApiFailure::code) == Some("invalid_reset_token"))
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch_local(PasswordResetConfirm {
            token: token.get_untracked().unwrap_or_default(),
            password: password.get_untracked(),
        });
    };

    view! {
        <AuthCard title="Choose a new password">
            <FormSuccess when=done>
                <p>"Your password has been changed. Sign in with your new password."</p>
                <p>
                    <a href="/sign-in" class="button button-primary">"Go to sign in"</a>
                </p>
            </FormSuccess>
            <Show
                when=move || token.with(Option::is_some)
                fallback=|| {
                    view! {
                        <div class="alert" role="alert">
                            <p>"This reset link is incomplete. Request a new one."</p>
                            <p class="alert-links">
                                <a href="/forgot-password">"Request a new link"</a>
                            </p>
                        </div>
                    }
                }
            >
                <Show when=move || !done.get()>
                    <form novalidate on:submit=on_submit>
                        <FormAlert failure fields=&["password"]>
                            {move || {
                                bad_token()
                                    .then(|| {
                                        view! {
                                            <p class="alert-links">
                                                <a href="/forgot-password">"Request a new link"</a>
                                            </p>
                                        }
                                    })
                            }}
                        </FormAlert>
                        <TextField
                            id="password"
                            label="New password"
                            value=password
                            error=field_error(failure, "password")
                            input_type="password"
                            autocomplete="new-password"
                            hint="At least 8 characters. A passphrase of a few words works well."
                            required=true
                        />
                        <SubmitButton label="Set new password" pending=submit.pending() />
                    </form>
                </Show>
            </Show>
        </AuthCard>
    }
}
