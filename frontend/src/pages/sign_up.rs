//! `/sign-up`: a new partner creates an account (or, with a known email and the right
//! password, is simply signed in).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use partnerly_domain::auth::SignupRequest;

use crate::api::{self, ApiFailure};
use crate::components::form::{FormAlert, SubmitButton, TextField, failure_of, field_error};
use crate::components::layout::AuthCard;
use crate::session::use_session;

/// The sign-up form. On success the session is set and the route guard moves on to the
/// dashboard.
#[component]
pub fn SignUp() -> impl IntoView {
    let session = use_session();
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());

    let submit = Action::new_local(move |request: &SignupRequest| {
        let request = request.clone();
        async move {
            request.validate().map_err(ApiFailure::from_fields)?;
            let auth = api::sign_up(&request).await?;
            session.sign_in(auth);
            Ok::<_, ApiFailure>(())
        }
    });
    let failure = failure_of(submit);
    let account_exists =
        move || failure.with(|f| f.as_ref().and_then(ApiFailure::code) == Some("account_exists"));

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        submit.dispatch_local(SignupRequest {
            name: name.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
        });
    };

    view! {
        <AuthCard
            title="Create your partner account"
            intro="Refer customers, track your commissions and get paid."
        >
            <form novalidate on:submit=on_submit>
                <FormAlert failure fields=&["name", "email", "password"]>
                    {move || {
                        account_exists()
                            .then(|| {
                                view! {
                                    <p class="alert-links">
                                        <a href="/sign-in">"Sign in"</a>
                                        <a href="/forgot-password">"Forgot password?"</a>
                                    </p>
                                }
                            })
                    }}
                </FormAlert>
                <TextField
                    id="name"
                    label="Name"
                    value=name
                    error=field_error(failure, "name")
                    autocomplete="name"
                    required=true
                />
                <TextField
                    id="email"
                    label="Email"
                    value=email
                    error=field_error(failure, "email")
                    input_type="email"
                    autocomplete="email"
                    required=true
                />
                <TextField
                    id="password"
                    label="Password"
                    value=password
                    error=field_error(failure, "password")
                    input_type="password"
                    autocomplete="new-password"
                    hint="At least 8 characters. A passphrase of a few words works well."
                    required=true
                />
                <SubmitButton label="Sign up" pending=submit.pending() />
            </form>
            // The alert above carries the same links when the account exists.
            <Show when=move || !account_exists()>
                <p class="card-footer">
                    "Already have an account? " <a href="/sign-in">"Sign in"</a>
                </p>
            </Show>
        </AuthCard>
    }
}
