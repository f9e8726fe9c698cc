//! `/sign-in`: email and password.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::auth::LoginRequest;

use crate::api::{self, ApiFailure};
use crate::components::form::{FormAlert, SubmitButton, TextField, failure_of, field_error};
use crate::components::layout::AuthCard;
use crate::session::use_session;

/// The sign-in form. On success the session is set and the route guard moves on to the
/// dashboard.
#[component]
pub fn SignIn() -> impl IntoView {
    let session = use_session();
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());

    let submit = Action::new_local(move |request: &LoginRequest| {
        let request = request.clone();
        async move {
            request.validate().map_err(ApiFailure::from_fields)?;
            let auth = api::sign_in(&request).await?;
            session.sign_in(auth);
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(submit);
    let bad_credentials = move || {
        failure.with(|f| f.as_ref().and_then(ApiFailure::code) == Some("invalid_credentials"))
    };

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch_local(LoginRequest {
            email: email.get_untracked(),
            password: password.get_untracked(),
        });
    };

    view! {
        <AuthCard title="Sign in" intro="Welcome back to your partner portal.">
            <form novalidate on:submit=on_submit>
                <FormAlert failure fields=&["email", "password"]>
                    {move || {
                        bad_credentials()
                            .then(|| {
                                view! {
                                    <p class="alert-links">
                                        <a href="/forgot-password">"Forgot password?"</a>
                                        <a href="/sign-up">"Sign up"</a>
                                    </p>
                                }
                            })
                    }}
                </FormAlert>
                <TextField
                    id="email"
                    label="Email"
                    value=email
                    error=field_error(failure, "email")
                    input_type="email"
                    autocomplete="username"
                    required=true
                />
                <TextField
                    id="password"
                    label="Password"
                    value=password
                    error=field_error(failure, "password")
                    input_type="password"
                    autocomplete="current-password"
                    required=true
                />
                <SubmitButton label="Sign in" pending=submit.pending() />
            </form>
            // The alert above carries the same links after a failed attempt.
            <Show when=move || !bad_credentials()>
                <p class="card-footer">
                    <a href="/forgot-password">"Forgot password?"</a>
                </p>
                <p class="card-footer">
                    "New to Partnerly? " <a href="/sign-up">"Sign up"</a>
                </p>
            </Show>
        </AuthCard>
    }
}
